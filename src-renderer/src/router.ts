import { createRouter, createWebHashHistory } from 'vue-router'

// Hash history: the same build works from the web host and from Electron's custom protocol.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/datasets' },
    { path: '/datasets', component: () => import('./views/DatasetsView.vue') },
    { path: '/runs', component: () => import('./views/RunsView.vue') },
    { path: '/runs/:id', component: () => import('./views/RunView.vue') },
    { path: '/runs/:id/inspect', component: () => import('./views/RunInspectView.vue') },
    { path: '/compare', component: () => import('./views/CompareView.vue') },
    { path: '/early-exit', component: () => import('./views/EarlyExitView.vue') },
    { path: '/explain', component: () => import('./views/ExplainView.vue') },
    { path: '/figures', component: () => import('./views/FiguresView.vue') },
    { path: '/settings', component: () => import('./views/SettingsView.vue') }
  ]
})
