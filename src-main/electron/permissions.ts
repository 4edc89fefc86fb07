import { APP_ORIGIN } from './appOrigin'

/**
 * The only web permission the page may use: writing to the clipboard (copying a figure). Camera,
 * microphone, notifications, geolocation, MIDI, HID, serial, USB, fullscreen… are all denied.
 */
const ALLOWED = new Set(['clipboard-sanitized-write'])

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED.has(permission) && requestingUrl.startsWith(APP_ORIGIN + '/')
}

interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean): void
}

/** Installs the deny-by-default permission handlers on the app's session. */
export function denyUnusedPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl ?? '')))
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin + '/'))
}
