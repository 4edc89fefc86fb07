import { computed } from 'vue'
import { useRoute } from 'vue-router'
import type { ExportOptions, FigureSpec } from '../../../src-shared/figure'
import { downloadFile, plainSpec } from './exportFile'
import { useApi } from './useApi'
import { useNotificationsStore } from './useNotificationsStore'

/** The web host takes messages up to 16 MB; a map larger than that is exported by the CLI. */
function checkSize(spec: FigureSpec): void {
  const bytes = spec.kind === 'chart' ? 0 : spec.values.byteLength
  if (bytes > 12 * 1024 * 1024) throw new Error(`this map holds ${(bytes / 1024 / 1024).toFixed(0)} MB of values, more than the app can send for export (12 MB); export it with "featurelens plot RUN weights --format png"`)
}

/**
 * Exporting a figure and adding it to the figure set (BaseFigureExport's two actions): the run
 * ids and source page come from the address, and the outcome is told in a notice. Each action
 * says whether it succeeded.
 */
export function useFigureExport(givenRunIds: () => string[] | undefined) {
  const api = useApi()
  const route = useRoute()
  const notices = useNotificationsStore()

  /** Runs the figure shows: the view's run (/runs/:id) or pair (?a=&b=), unless given. */
  const runIds = computed(() => {
    const given = givenRunIds()
    if (given) return given
    const ids = [route.params.id, route.query.a, route.query.b, route.query.run].filter((v): v is string => typeof v === 'string' && v.length > 0)
    return [...new Set(ids)]
  })
  const source = computed(() => {
    const first = route.path.split('/').filter(Boolean)[0] ?? 'figure'
    return first.charAt(0).toUpperCase() + first.slice(1).replace('-', ' ')
  })

  async function download(spec: FigureSpec, options: ExportOptions): Promise<boolean> {
    try {
      checkSize(spec)
      const file = await api.call('figures.export', { spec: plainSpec(spec), options })
      downloadFile(file)
      return true
    } catch (err) {
      notices.error(err)
      return false
    }
  }

  async function addToSet(spec: FigureSpec): Promise<boolean> {
    try {
      checkSize(spec)
      const saved = await api.call('figures.save', { spec: plainSpec(spec), source: source.value, runIds: runIds.value })
      notices.info(`Added “${saved.title}” to the figure set (Figures page).`)
      return true
    } catch (err) {
      notices.error(err)
      return false
    }
  }

  return { runIds, source, download, addToSet }
}
