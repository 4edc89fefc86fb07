import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventName } from '../../src-shared/contract'
import { openApi, type OpenApi } from '../../src-main/api/openApi'

export function tempDir(prefix = 'featurelens-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A real workspace (SQLite file in a temp folder) with the API wired to it. */
export function openTestApi(dir = tempDir('fl-ws-')): OpenApi {
  return openApi({ workspace: dir, shell: 'web' })
}

/**
 * Resolves with the first event that matches; rejects at once if a run fails meanwhile, so a
 * broken job shows its reason instead of a time-out.
 */
export function nextEvent<T>(api: OpenApi, name: EventName, match: (payload: T) => boolean, timeoutMs = 300_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`no ${name} event matched within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = api.context.events.subscribe((event, payload) => {
      const status = payload as { status?: string; reason?: string }
      if (event === 'runs.status' && status.status === 'failed' && !(name === 'runs.status' && match(payload as T))) {
        clearTimeout(timer)
        unsubscribe()
        reject(new Error(`a run failed: ${status.reason}`))
        return
      }
      if (event === name && match(payload as T)) {
        clearTimeout(timer)
        unsubscribe()
        resolve(payload as T)
      }
    })
  })
}
