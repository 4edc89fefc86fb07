import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { denyUnusedPermissions, isPermissionAllowed } from '../../../src-main/electron/permissions'
import { contentSecurityPolicy } from '../../../src-shared/csp'

const projectRoot = new URL('../../..', import.meta.url).pathname

describe('Electron permissions', () => {
  it('denies every permission the app does not use, from any page', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'midi', 'midiSysex', 'hid', 'serial', 'usb', 'fullscreen', 'openExternal', 'pointerLock', 'display-capture', 'clipboard-read']) {
      expect(isPermissionAllowed(permission, 'featurelens://app/index.html'), permission).toBe(false)
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', 'featurelens://app/index.html')).toBe(true)
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
  })

  it('installs request and check handlers that answer accordingly', () => {
    let request: ((c: unknown, p: string, cb: (granted: boolean) => void, d: { requestingUrl?: string }) => void) | null = null
    let check: ((c: unknown, p: string, origin: string) => boolean) | null = null
    denyUnusedPermissions({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) })
    const answers: boolean[] = []
    request!(null, 'media', (granted) => answers.push(granted), { requestingUrl: 'featurelens://app/index.html' })
    request!(null, 'clipboard-sanitized-write', (granted) => answers.push(granted), { requestingUrl: 'featurelens://app/index.html' })
    expect(answers).toEqual([false, true])
    expect(check!(null, 'notifications', 'featurelens://app')).toBe(false)
  })
})

describe('one Content-Security-Policy', () => {
  it('differs between deliveries only in connect-src and frame-ancestors', () => {
    const electron = contentSecurityPolicy({ delivery: 'header' })
    const web = contentSecurityPolicy({ delivery: 'header', connectSrc: ["'self'", 'ws://127.0.0.1:7077'] })
    const meta = contentSecurityPolicy({ delivery: 'meta' })
    expect(electron).toContain("connect-src 'self'")
    expect(electron).not.toMatch(/ws:/)
    expect(web).toContain("connect-src 'self' ws://127.0.0.1:7077")
    expect(meta).not.toContain('frame-ancestors')
    expect(electron).toContain("frame-ancestors 'none'")
    const strip = (csp: string) => csp.split('; ').filter((d) => !d.startsWith('connect-src') && !d.startsWith('frame-ancestors'))
    expect(strip(web)).toEqual(strip(electron))
    expect(strip(meta)).toEqual(strip(electron))
  })

  it('is the meta tag of the built page, with no bare ws: source', () => {
    const built = join(projectRoot, 'out', 'renderer', 'index.html')
    if (!existsSync(built)) {
      console.log('meta CSP check skipped: no renderer build (npx electron-vite build)')
      return
    }
    const html = readFileSync(built, 'utf8')
    expect(html).toContain(`content="${contentSecurityPolicy({ delivery: 'meta' })}"`)
    expect(html).not.toMatch(/connect-src[^"]*ws:\s*;/)
  })
})
