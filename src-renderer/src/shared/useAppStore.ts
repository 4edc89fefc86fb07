import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '../../../src-shared/api/app'
import type { BackendName, BackendReport } from '../../../src-shared/backend'
import { useApi } from './useApi'
import { useNotificationsStore } from './useNotificationsStore'

/** Facts about the running app: version, shell, workspace and the compute backend. */
export const useAppStore = defineStore('app', () => {
  const api = useApi()
  const info = ref<AppInfo | null>(null)
  const backend = ref<BackendReport | null>(null)
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      info.value = await api.call('app.info', {})
      backend.value = await api.call('backend.report', {})
    } catch (err) {
      useNotificationsStore().error(err)
    } finally {
      loading.value = false
    }
  }

  async function selectBackend(name: BackendName | null): Promise<void> {
    try {
      backend.value = await api.call('backend.select', { name })
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  return { info, backend, loading, load, selectBackend }
})
