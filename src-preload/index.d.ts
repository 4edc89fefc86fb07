import type { FeaturelensBridge } from '../src-shared/bridge'

declare global {
  interface Window {
    /** Present only inside the Electron shell. */
    featurelens?: FeaturelensBridge
  }
}
export {}
