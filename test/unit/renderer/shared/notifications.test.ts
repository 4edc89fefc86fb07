import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NOTICE_MS, useNotificationsStore } from '../../../../src-renderer/src/shared/useNotificationsStore'

describe('notices', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.useRealTimers())

  it('expire by themselves, errors later than information', () => {
    const store = useNotificationsStore()
    store.info('Generated 2000 faces')
    store.error(new Error('faces: not a dataset folder'))
    vi.advanceTimersByTime(NOTICE_MS.info)
    expect(store.notices.map((n) => n.kind)).toEqual(['error'])
    vi.advanceTimersByTime(NOTICE_MS.error - NOTICE_MS.info)
    expect(store.notices).toEqual([])
  })

  it('do not pile up: the same message again restarts its notice, and at most three show', () => {
    const store = useNotificationsStore()
    for (let k = 0; k < 4; k++) store.error(new Error('the dataset cannot be read'))
    expect(store.notices).toHaveLength(1)
    for (const m of ['a', 'b', 'c', 'd']) store.info(m)
    expect(store.notices.map((n) => n.message)).toEqual(['b', 'c', 'd'])
    store.dismiss(store.notices[0].id)
    expect(store.notices.map((n) => n.message)).toEqual(['c', 'd'])
  })
})
