// Lint guards the layering: src-shared and the engine never import electron (and src-shared
// stays free of node-only modules), the engine's folders import only the layers below them and
// never api, cli or server (eslint/engineLayers.js, src-main/engine/LAYERS.md), the renderer
// never imports the main process, and shell.openExternal is called only from the one funnel
// that checks the scheme. Renderer components (.vue) never reach the API client: their
// requests go through a store or composable.
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'
import vueParser from 'vue-eslint-parser'
import { engineLayersPlugin } from './eslint/engineLayers.js'

const electronBan = { name: 'electron', message: 'src-shared and src-main/engine must run without Electron.' }
const rendererBans = {
  paths: [{ name: 'electron', message: 'The renderer talks to the main process only through the API client.' }],
  patterns: [{ group: ['**/src-main/**', '**/src-main'], message: 'The renderer never imports the main process; use the API client.' }]
}
const apiClientBan = {
  group: ['**/api/client', '**/api/electronClient', '**/api/webSocketClient', '**/shared/useApi', './useApi'],
  message: "Components do not call the API client: put the request in the feature's store or a composable and call that."
}

export default [
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'bench/results/**', 'native/build/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    // Destructuring a property out to drop it (`const { taskId, ...rest } = request`) is how an object is copied without it.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] }
  },
  {
    files: ['**/*.vue'],
    rules: {
      // The project writes void elements as <input /> (as Prettier does), and keeps an element's
      // attributes and short content on one line; multi-line elements still get one attribute per line.
      'vue/html-self-closing': ['warn', { html: { void: 'always', normal: 'always', component: 'always' }, svg: 'always', math: 'always' }],
      'vue/max-attributes-per-line': ['warn', { singleline: { max: 8 }, multiline: { max: 1 } }],
      'vue/singleline-html-element-content-newline': 'off'
    }
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-unreachable': 'error'
    }
  },
  {
    files: ['src-renderer/**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' } }
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronBan, { name: 'vue', message: 'src-shared is framework-free.' }],
        patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'better-sqlite3', '../src-main/*', '../../src-main/*'], message: 'src-shared must stay free of node-only and main-process imports.' }]
      }]
    }
  },
  {
    files: ['src-main/engine/**/*.ts', 'src-main/engineProcess/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan], patterns: [{ group: ['electron/*'], message: electronBan.message }] }] }
  },
  {
    files: ['src-main/engine/**/*.ts'],
    plugins: { layers: engineLayersPlugin },
    rules: { 'layers/order': 'error' }
  },
  {
    files: ['src-renderer/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', rendererBans] }
  },
  {
    files: ['src-renderer/**/*.vue'],
    rules: { 'no-restricted-imports': ['error', { ...rendererBans, patterns: [...rendererBans.patterns, apiClientBan] }] }
  },
  {
    files: ['src-main/**/*.ts', 'src-preload/**/*.ts'],
    ignores: ['src-main/electron/externalLinks.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='openExternal'][object.name='shell']", message: 'Open links only through openExternalLink (src-main/electron/externalLinks.ts).' }]
    }
  }
]
