import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '../../../src-shared/errors'
import { useNotificationsStore } from './useNotificationsStore'

/**
 * Loads data where a newer request supersedes an older one (moving an epoch slider, panning a
 * map): only the latest answer is kept, and its error shown. The data is a shallow ref so
 * large typed arrays are never made deeply reactive.
 */
export function useLatestRequest<T>(): { data: ShallowRef<T | null>; loading: Ref<boolean>; run: (load: () => Promise<T>) => Promise<T | null>; reset: () => void } {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  let latest = 0
  async function run(load: () => Promise<T>): Promise<T | null> {
    const id = ++latest
    loading.value = true
    try {
      const value = await load()
      if (id !== latest) return null
      data.value = value
      return value
    } catch (err) {
      // A cancel is the user's own doing, not something to warn about.
      if (id === latest && !(err instanceof ApiError && err.code === 'cancelled')) useNotificationsStore().error(err)
      return null
    } finally {
      if (id === latest) loading.value = false
    }
  }
  /** Forgets the data and drops the answer of any request still in flight (its subject changed). */
  function reset(): void {
    latest++
    data.value = null
    loading.value = false
  }
  return { data, loading, run, reset }
}
