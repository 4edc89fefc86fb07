/** The page's own origin in the desktop app: the renderer build served under featurelens://app/. */
export const APP_SCHEME = 'featurelens'
export const APP_ORIGIN = `${APP_SCHEME}://app`
