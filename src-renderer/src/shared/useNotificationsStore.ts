import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '../../../src-shared/errors'

export interface Notice {
  id: number
  kind: 'error' | 'info'
  message: string
}

/** How long a notice stays before it goes by itself; the × closes it sooner. */
export const NOTICE_MS = { info: 6000, error: 12000 } as const
const MOST = 3

/**
 * Messages for the user. Errors show their message only, never a stack trace. Notices expire,
 * the same message again restarts its notice instead of stacking a copy, and at most three show.
 * Views that have a place for an error show it there as well (where the action was).
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const notices = ref<Notice[]>([])
  let nextId = 1
  const timers = new Map<number, ReturnType<typeof setTimeout>>()

  function push(kind: Notice['kind'], message: string): void {
    const same = notices.value.find((n) => n.kind === kind && n.message === message)
    if (same) dismiss(same.id)
    const id = nextId++
    notices.value.push({ id, kind, message })
    timers.set(id, setTimeout(() => dismiss(id), NOTICE_MS[kind]))
    while (notices.value.length > MOST) dismiss(notices.value[0].id)
  }
  function error(err: unknown): void {
    const message = err instanceof ApiError || err instanceof Error ? err.message : String(err)
    push('error', message)
  }
  function info(message: string): void {
    push('info', message)
  }
  function dismiss(id: number): void {
    clearTimeout(timers.get(id))
    timers.delete(id)
    notices.value = notices.value.filter((n) => n.id !== id)
  }
  return { notices, error, info, dismiss }
})
