import { defineStore } from 'pinia'
import { markRaw, ref } from 'vue'
import type { RequestOf } from '../../../../src-shared/contract'
import type { FigureSpec } from '../../../../src-shared/figure'
import type { FigureText } from '../../../../src-shared/figures/figureText'
import type { Composition, CompositionLayout, SavedFigure } from '../../../../src-shared/figureSet'
import { useApi } from '../../shared/useApi'

/** The figure set and the compositions made of it (the Figures page). Failures are thrown to the caller, which shows them. */
export const useFiguresStore = defineStore('figures', () => {
  const api = useApi()
  const figures = ref<SavedFigure[]>([])
  /** Each saved figure's spec as it draws (with the user's words), and as it was made; read once, and again when its words change. */
  const specs = ref<Record<string, FigureSpec>>({})
  const generated = ref<Record<string, FigureSpec>>({})
  const compositions = ref<Composition[]>([])

  async function load(): Promise<void> {
    figures.value = await api.call('figures.list', {})
    compositions.value = await api.call('compositions.list', {})
    for (const f of figures.value) if (!specs.value[f.id]) await loadSpec(f.id)
  }

  async function loadSpec(id: string): Promise<void> {
    const answer = await api.call('figures.get', { id })
    specs.value[id] = markRaw(answer.spec)
    generated.value[id] = markRaw(answer.generated)
  }

  /** The user's words for a figure; every export and composition uses them from now on. */
  async function setText(id: string, text: FigureText): Promise<void> {
    const saved = await api.call('figures.setText', { id, text })
    figures.value = figures.value.map((f) => (f.id === id ? saved : f))
    await loadSpec(id)
  }

  async function loadCompositions(): Promise<void> {
    compositions.value = await api.call('compositions.list', {})
  }

  /** A new empty composition, one row of two cells, named after how many there are. */
  const createComposition = () => api.call('compositions.save', { name: `Figure ${compositions.value.length + 1}`, layout: { rows: 1, cols: 2, panels: [] } })
  const saveComposition = (id: string, name: string, layout: CompositionLayout) => api.call('compositions.save', { id, name, layout })
  const duplicateComposition = (id: string) => api.call('compositions.duplicate', { id })
  const deleteComposition = (id: string) => api.call('compositions.delete', { id })
  const deleteFigure = (id: string) => api.call('figures.delete', { id })
  const exportComposition = async (id: string, options: RequestOf<'compositions.export'>['options']) => api.call('compositions.export', { id, options })

  return { figures, specs, generated, compositions, load, setText, loadCompositions, createComposition, saveComposition, duplicateComposition, deleteComposition, deleteFigure, exportComposition }
})
