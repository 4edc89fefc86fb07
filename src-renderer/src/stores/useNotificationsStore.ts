import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '../../../src-shared/errors'

export interface Notice {
  id: number
  kind: 'error' | 'info'
  message: string
}

/** Messages for the user. Errors show their message only, never a stack trace. */
export const useNotificationsStore = defineStore('notifications', () => {
  const notices = ref<Notice[]>([])
  let nextId = 1

  function push(kind: Notice['kind'], message: string): void {
    notices.value.push({ id: nextId++, kind, message })
    if (notices.value.length > 5) notices.value.shift()
  }
  function error(err: unknown): void {
    const message = err instanceof ApiError || err instanceof Error ? err.message : String(err)
    push('error', message)
  }
  function info(message: string): void {
    push('info', message)
  }
  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }
  return { notices, error, info, dismiss }
})
