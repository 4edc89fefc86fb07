import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetList } from '../../../../src-shared/api/datasets'
import type { DatasetProgress, DatasetSummary, SampleRef } from '../../../../src-shared/dataset'
import { useApi } from '../../shared/useApi'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/** Datasets: the bundled and recent ones, the one on screen, and its sample thumbnails. */
export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApi()
  const list = ref<DatasetList | null>(null)
  const current = ref<DatasetSummary | null>(null)
  const opening = ref<string | null>(null)
  /** Why the last folder could not be opened or generated; shown in the detail pane, where the user looks. */
  const openError = ref<{ path: string; message: string } | null>(null)
  const progress = ref<(DatasetProgress & { path: string }) | null>(null)
  const thumbnails = ref<Record<string, string | null>>({})
  let subscribed = false

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    api.on('datasets.progress', (p) => (progress.value = p))
  }

  async function refresh(): Promise<void> {
    subscribe()
    try {
      list.value = await api.call('datasets.list', {})
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  async function open(path: string, label?: string): Promise<boolean> {
    subscribe()
    opening.value = path
    progress.value = null
    openError.value = null
    try {
      current.value = await api.call('datasets.open', { path, label })
      void refresh()
      void loadThumbnails()
      return true
    } catch (err) {
      openError.value = { path, message: err instanceof Error ? err.message : String(err) }
      return false
    } finally {
      opening.value = null
      progress.value = null
    }
  }

  const key = (summary: DatasetSummary, ref: SampleRef) => `${summary.path}|${summary.label.kind === 'attribute' ? summary.label.attribute : ''}|${ref.split}|${ref.index}`

  async function loadThumbnails(): Promise<void> {
    const summary = current.value
    if (!summary) return
    const refs = summary.samples.flatMap((g) => g.refs).filter((r) => !(key(summary, r) in thumbnails.value))
    if (refs.length === 0) return
    try {
      const label = summary.label.kind === 'attribute' ? summary.label.attribute : undefined
      const { images } = await api.call('datasets.thumbnails', { path: summary.path, label, refs, size: 64 })
      images.forEach((png, i) => {
        thumbnails.value[key(summary, refs[i])] = png ? URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' })) : null
      })
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  function thumbnail(ref: SampleRef): string | null | undefined {
    return current.value ? thumbnails.value[key(current.value, ref)] : undefined
  }

  async function generateSyntheticFaces(count: number, size: number, seed: number): Promise<void> {
    subscribe()
    opening.value = 'synthetic faces'
    openError.value = null
    try {
      const result = await api.call('datasets.synthFaces', { out: 'default', count, size, seed })
      useNotificationsStore().info(`Generated ${result.count} synthetic faces in ${result.out}`)
      opening.value = null
      await open(result.out)
    } catch (err) {
      openError.value = { path: 'synthetic faces', message: err instanceof Error ? err.message : String(err) }
    } finally {
      opening.value = null
      progress.value = null
    }
  }

  /** A folder's entries for the folder browser (the home folder when no path is given); throws why it cannot be read. */
  const listDir = (path?: string) => api.call('fs.listDir', { path })

  return { listDir, list, current, opening, openError, progress, refresh, open, thumbnail, generateSyntheticFaces }
})
