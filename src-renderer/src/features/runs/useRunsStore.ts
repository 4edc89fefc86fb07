import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RequestOf } from '../../../../src-shared/contract'
import type { RunDetail, RunProgress, RunSummary, TrainConfigInput } from '../../../../src-shared/run'
import { useApi } from '../../shared/useApi'
import { useNotificationsStore } from '../../shared/useNotificationsStore'

/**
 * Runs in the workspace, kept live from the training events. Starting and opening throw to the
 * form that asked (it shows why beside its button); the list is read again after each.
 */
export const useRunsStore = defineStore('runs', () => {
  const api = useApi()
  const runs = ref<RunSummary[]>([])
  const details = ref<Record<string, RunDetail>>({})
  const progress = ref<Record<string, RunProgress>>({})
  /** Batch losses that arrived live, per run, since the page opened. */
  const liveLosses = ref<Record<string, { step: number; loss: number }[]>>({})
  let subscribed = false

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    api.on('runs.progress', (p) => {
      progress.value[p.runId] = p
      if (p.phase === 'training' && p.loss !== null) {
        const list = (liveLosses.value[p.runId] ??= [])
        list.push({ step: (p.epoch - 1) * p.batches + p.batch, loss: p.loss })
      }
    })
    api.on('runs.status', (s) => {
      const run = runs.value.find((r) => r.id === s.runId)
      if (run) {
        run.status = s.status
        run.statusReason = s.reason
      }
      if (!['running', 'queued'].includes(s.status)) delete progress.value[s.runId]
      void refresh()
      if (details.value[s.runId]) void loadDetail(s.runId)
    })
    // The event carries the epoch's metrics: the list and an open run's curves take them as they
    // come; only an open run reads its detail again, for the epoch's batch losses and storage.
    api.on('runs.epoch', (e) => {
      const run = runs.value.find((r) => r.id === e.runId)
      if (run) {
        run.lastMetrics = e.metrics
        run.epochsCompleted = Math.max(run.epochsCompleted, e.metrics.epoch)
      } else void refresh()
      const detail = details.value[e.runId]
      if (detail) {
        detail.epochs = [...detail.epochs.filter((m) => m.epoch !== e.metrics.epoch), e.metrics].sort((a, b) => a.epoch - b.epoch)
        void loadDetail(e.runId)
      }
    })
  }

  async function refresh(): Promise<void> {
    subscribe()
    try {
      runs.value = await api.call('runs.list', {})
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  async function loadDetail(id: string): Promise<RunDetail | null> {
    subscribe()
    try {
      const detail = await api.call('runs.get', { id })
      details.value[id] = detail
      return detail
    } catch (err) {
      useNotificationsStore().error(err)
      return null
    }
  }

  async function start(config: TrainConfigInput): Promise<RunSummary> {
    const run = await api.call('runs.start', { config })
    await refresh()
    return run
  }

  /** Two runs on the same images, one per attribute. */
  async function startPair(config: TrainConfigInput, attributes: [string, string]): Promise<void> {
    await api.call('runs.startPair', { config, attributes })
    await refresh()
  }

  /** An opened model file becomes a run (to inspect, explain or fine-tune). */
  async function openModel(request: RequestOf<'models.open'>): Promise<RunSummary> {
    const run = await api.call('models.open', request)
    await refresh()
    return run
  }

  /** Time and memory a configuration would take (the form asks as it is filled in). */
  const estimate = (config: TrainConfigInput) => api.call('runs.estimate', { config })

  async function act(action: 'runs.cancel' | 'runs.resume', id: string): Promise<void> {
    try {
      await api.call(action, { id })
      await refresh()
    } catch (err) {
      useNotificationsStore().error(err)
    }
  }

  async function remove(id: string): Promise<boolean> {
    try {
      await api.call('runs.delete', { id })
      delete details.value[id]
      await refresh()
      return true
    } catch (err) {
      useNotificationsStore().error(err)
      return false
    }
  }

  return { runs, details, progress, liveLosses, refresh, loadDetail, start, startPair, openModel, estimate, cancel: (id: string) => act('runs.cancel', id), resume: (id: string) => act('runs.resume', id), remove }
})
