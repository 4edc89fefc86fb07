import { protocol } from 'electron'
import { contentSecurityPolicy } from '../../src-shared/csp'
import { readStaticFile } from '../server/static'
import { APP_ORIGIN, APP_SCHEME } from './appOrigin'

export { APP_ORIGIN, APP_SCHEME }

// Electron's transport is IPC: connect-src stays 'self'.
const CSP = contentSecurityPolicy({ delivery: 'header' })

/** Must run before app ready: the scheme behaves like https (standard, secure, own origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
}

/** Serves the renderer build under featurelens://app/, never anything outside it. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== 'app') return new Response('not found', { status: 404 })
    const file = await readStaticFile(rendererDir, url.pathname)
    if (!file) return new Response('not found', { status: 404 })
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.contentType, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' }
    })
  })
}
