import type { FeaturelensBridge } from './bridge'

declare global {
  interface Window {
    /** Present only inside the Electron shell. */
    featurelens?: FeaturelensBridge
  }
}
export {}
