import { describe, expect, it } from 'vitest'
import { useRunsStore } from '../../../../../src-renderer/src/features/runs/useRunsStore'
import { useNotificationsStore } from '../../../../../src-renderer/src/shared/useNotificationsStore'
import { rendererWith, runSummary } from '../../../../support/rendererFixtures'

const progress = (runId: string, batch: number, loss: number | null) => ({ runId, phase: 'training' as const, epoch: 2, epochs: 3, batch, batches: 100, loss, imagesPerSecond: 500, fraction: 0.5, etaSeconds: 30 })
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('the runs store', () => {
  it('keeps the live batch losses of each run, numbered across epochs', async () => {
    const api = rendererWith({ 'runs.list': () => [runSummary('r1', 'running')] })
    const store = useRunsStore()
    await store.refresh()
    api.emit('runs.progress', progress('r1', 5, 0.7))
    api.emit('runs.progress', progress('r1', 6, null))
    api.emit('runs.progress', progress('r1', 7, 0.6))
    expect(store.liveLosses.r1).toEqual([{ step: 105, loss: 0.7 }, { step: 107, loss: 0.6 }])
    expect(store.progress.r1.batch).toBe(7)
  })

  it('takes a finished status at once, drops its progress and reads the list again', async () => {
    let status: 'running' | 'completed' = 'running'
    const api = rendererWith({ 'runs.list': () => [runSummary('r1', status)] })
    const store = useRunsStore()
    await store.refresh()
    api.emit('runs.progress', progress('r1', 5, 0.7))
    status = 'completed'
    api.emit('runs.status', { runId: 'r1', status: 'completed', reason: null })
    expect(store.runs[0].status).toBe('completed')
    expect(store.progress.r1).toBeUndefined()
    await settle()
    expect(api.requests('runs.list')).toHaveLength(2)
  })

  it("takes an epoch's metrics from the event without reading the list again", async () => {
    const api = rendererWith({ 'runs.list': () => [runSummary('r1', 'running')] })
    const store = useRunsStore()
    await store.refresh()
    const metrics = { epoch: 2, trainLoss: 0.4, trainAccuracy: 0.9, valLoss: 0.5, valAccuracy: 0.88, testLoss: null, testAccuracy: 0.87, imagesPerSecond: 800, durationMs: 1200 }
    api.emit('runs.epoch', { runId: 'r1', metrics })
    expect(store.runs[0].lastMetrics).toEqual(metrics)
    expect(store.runs[0].epochsCompleted).toBe(2)
    await settle()
    expect(api.requests('runs.list')).toHaveLength(1)
  })

  it('subscribes once however often it is refreshed', async () => {
    const api = rendererWith({ 'runs.list': () => [] })
    const store = useRunsStore()
    await store.refresh()
    await store.refresh()
    expect(api.listenerCount('runs.progress')).toBe(1)
  })

  it('starts a run and lists it; a refused start is thrown to the form, not listed', async () => {
    const listed: string[] = []
    const api = rendererWith({
      'runs.list': () => listed.map((id) => runSummary(id, 'queued')),
      'runs.start': ({ config }) => {
        if (config.dataset === '/nowhere') throw new Error('dataset: /nowhere does not exist; open a dataset folder')
        listed.push('r9')
        return runSummary('r9', 'queued')
      }
    })
    const store = useRunsStore()
    const run = await store.start({ dataset: 'mnist', model: { name: 'lenet5' } })
    expect(run.id).toBe('r9')
    expect(store.runs.map((r) => r.id)).toEqual(['r9'])
    await expect(store.start({ dataset: '/nowhere', model: { name: 'lenet5' } })).rejects.toThrow('dataset: /nowhere does not exist; open a dataset folder')
    expect(api.requests('runs.list')).toHaveLength(1)
  })

  it('removes a run with its detail, and reports a failed removal', async () => {
    const api = rendererWith({ 'runs.list': () => [], 'runs.delete': ({ id }) => ({ deleted: id }) })
    const store = useRunsStore()
    expect(await store.remove('r1')).toBe(true)
    api.handlers['runs.delete'] = () => Promise.reject(new Error('run r2 is training; cancel it first'))
    expect(await store.remove('r2')).toBe(false)
    expect(useNotificationsStore().notices.map((n) => n.message)).toEqual(['run r2 is training; cancel it first'])
  })
})
