/// <reference types="vite/client" />
// src-preload/index.d.ts (window.featurelens) is part of this project through tsconfig.web.json's include.

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
