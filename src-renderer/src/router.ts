import { createRouter, createWebHashHistory } from 'vue-router'

// Hash history: the same build works from the web host and from Electron's custom protocol.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/datasets' },
    { path: '/datasets', component: () => import('./features/datasets/DatasetsView.vue') },
    { path: '/runs', component: () => import('./features/runs/RunsView.vue') },
    { path: '/runs/:id', component: () => import('./features/runs/RunView.vue') },
    { path: '/runs/:id/inspect', component: () => import('./features/inspect/RunInspectView.vue') },
    { path: '/compare', component: () => import('./features/compare/CompareView.vue') },
    { path: '/early-exit', component: () => import('./features/earlyExit/EarlyExitView.vue') },
    { path: '/explain', component: () => import('./features/explain/ExplainView.vue') },
    { path: '/figures', component: () => import('./features/figures/FiguresView.vue') },
    { path: '/settings', component: () => import('./features/settings/SettingsView.vue') }
  ]
})
