import { effectScope, ref } from 'vue'
import { describe, expect, it } from 'vitest'
import { useAnalysisTask } from '../../../../src-renderer/src/shared/useAnalysisTask'
import { useChannelPager } from '../../../../src-renderer/src/shared/useChannelPager'
import { useLatestRequest } from '../../../../src-renderer/src/shared/useLatestRequest'
import { useNotificationsStore } from '../../../../src-renderer/src/shared/useNotificationsStore'
import { ApiError } from '../../../../src-shared/errors'
import { deferred, rendererWith } from '../../../support/rendererFixtures'

describe('the channel pager', () => {
  it('turns a page at a time inside the layer and starts again at channel 0', () => {
    const total = ref(10)
    const pager = useChannelPager(total, ref(4))
    expect(pager.channels.value).toEqual([0, 1, 2, 3])
    expect(pager.hasPrevious.value).toBe(false)
    pager.turn(1)
    pager.turn(1)
    expect(pager.channels.value).toEqual([8, 9])
    expect(pager.hasNext.value).toBe(false)
    pager.turn(1)
    expect(pager.channels.value).toEqual([8, 9])
    pager.reset()
    expect(pager.channels.value).toEqual([0, 1, 2, 3])
    total.value = 0
    expect(pager.channels.value).toEqual([])
  })

  it('keeps the first channel inside a smaller layer', () => {
    const total = ref(32)
    const pager = useChannelPager(total, ref(6))
    pager.turn(5)
    expect(pager.first.value).toBe(30)
    expect(pager.channels.value).toEqual([30, 31])
    total.value = 8
    expect(pager.channels.value).toEqual([7])
    pager.reset()
    expect(pager.channels.value).toEqual([0, 1, 2, 3, 4, 5])
  })
})

describe('the latest request', () => {
  it('keeps only the newest answer, even when an older one arrives last', async () => {
    rendererWith()
    const { data, loading, run } = useLatestRequest<string>()
    const old = deferred<string>()
    const first = run(() => old.promise)
    const second = run(() => Promise.resolve('epoch 2'))
    expect(await second).toBe('epoch 2')
    expect(loading.value).toBe(false)
    old.resolve('epoch 1')
    expect(await first).toBeNull()
    expect(data.value).toBe('epoch 2')
  })

  it('shows an error but not a cancel', async () => {
    rendererWith()
    const { run } = useLatestRequest<string>()
    await run(() => Promise.reject(new ApiError('cancelled', 'the user cancelled')))
    expect(useNotificationsStore().notices).toEqual([])
    await run(() => Promise.reject(new Error('layer conv9 does not exist')))
    expect(useNotificationsStore().notices.map((n) => n.message)).toEqual(['layer conv9 does not exist'])
  })
})

describe('an analysis task', () => {
  it("follows its own task's progress, and cancels it when the view goes", async () => {
    const api = rendererWith({ 'task.cancel': () => ({ cancelled: true }) })
    const scope = effectScope()
    const task = scope.run(() => useAnalysisTask('task'))
    if (!task) throw new Error('the scope did not run')
    const id = task.start()
    api.emit('task.progress', { taskId: 'someone-else', task: 'CKA', done: 1, total: 4, rate: null, etaSeconds: null })
    expect(task.progress.value).toBeNull()
    api.emit('task.progress', { taskId: id, task: 'CKA', done: 2, total: 4, rate: 1, etaSeconds: 2 })
    expect(task.progress.value?.done).toBe(2)

    scope.stop()
    await Promise.resolve()
    expect(api.requests('task.cancel')).toEqual([{ taskId: id }])
    expect(api.listenerCount('task.progress')).toBe(0)
    expect(task.taskId.value).toBeNull()
  })

  it('finishing leaves nothing to cancel', async () => {
    const api = rendererWith({ 'task.cancel': () => ({ cancelled: true }) })
    const scope = effectScope()
    const task = scope.run(() => useAnalysisTask('task'))
    task?.start()
    task?.finish()
    scope.stop()
    await Promise.resolve()
    expect(api.requests('task.cancel')).toEqual([])
  })
})
