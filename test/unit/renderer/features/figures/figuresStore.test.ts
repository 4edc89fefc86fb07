import { describe, expect, it } from 'vitest'
import { useFiguresStore } from '../../../../../src-renderer/src/features/figures/useFiguresStore'
import { Composition, CompositionLayout, SavedFigure } from '../../../../../src-shared/figureSet'
import { rendererWith } from '../../../../support/rendererFixtures'

const TIME = '2026-01-01T00:00:00.000Z'
const figure = (id: string) => SavedFigure.parse({ id, title: `Figure ${id}`, kind: 'chart', source: 'Compare', runIds: [], missingRuns: [], text: {}, createdAt: TIME })
const composition = (id: string, name: string, layout: unknown) => Composition.parse({ id, name, layout: CompositionLayout.parse(layout), createdAt: TIME, updatedAt: TIME })

describe('the figures store', () => {
  it('reads each saved figure once, and a new composition is named after how many there are', async () => {
    const saved = [figure('f1')]
    const compositions = [composition('c1', 'Figure 1', { rows: 1, cols: 1, panels: [] })]
    const api = rendererWith({
      'figures.list': () => saved,
      'figures.get': ({ id }) => ({ figure: figure(id), spec: { kind: 'chart', title: `chart ${id}`, option: {} }, generated: { kind: 'chart', title: `chart ${id}`, option: {} } }),
      'compositions.list': () => compositions,
      'compositions.save': ({ id, name, layout }) => composition(id ?? 'c2', name, layout)
    })
    const store = useFiguresStore()
    await store.load()
    saved.push(figure('f2'))
    await store.load()
    expect(api.requests('figures.get')).toEqual([{ id: 'f1' }, { id: 'f2' }])
    expect(store.specs.f2.title).toBe('chart f2')

    const created = await store.createComposition()
    expect(created.name).toBe('Figure 2')
    expect(created.layout).toMatchObject({ rows: 1, cols: 2, panels: [] })
  })

  it('passes a failure to the page that asked', async () => {
    rendererWith({ 'figures.list': () => Promise.reject(new Error('the workspace database is locked')) })
    await expect(useFiguresStore().load()).rejects.toThrow('the workspace database is locked')
  })
})
