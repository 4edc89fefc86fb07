import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'
import { contentSecurityPolicy } from './src-shared/csp'

// The page's meta CSP comes from the one definition the hosts' headers use too. connect-src
// 'self' also admits the page's own ws:// origin (CSP 3), which is all the web host needs.
const cspMeta = {
  name: 'featurelens-csp',
  transformIndexHtml: (html: string) => html.replace('%FEATURELENS_CSP%', contentSecurityPolicy({ delivery: 'meta' }))
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'src-main/index.ts') } }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        // Sandboxed preloads cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue(), cspMeta],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } }
    }
  }
})
