import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SplitName } from '../../../src-shared/dataset'
import { MAX_UPLOAD_BYTES, type ImageChoice } from '../../../src-shared/inspect'
import { useNotificationsStore } from './useNotificationsStore'

export type ImageMode = 'index' | 'class' | 'file'

/** What a view knows of its run's dataset, for choosing an image from it. */
export interface ImageDataset {
  splits: { name: SplitName; count: number }[]
  /** Empty where examples cannot be chosen by class. */
  classNames: string[]
  /** Why the dataset cannot be read; files still work. */
  error: string | null
}

/**
 * The image a view looks at: a dataset example by index or by class, or a PNG/JPEG file. Each
 * view that shows one image (Inspect, Explain, Compare) has its own, made by this one definition
 * and shown by the one picker (BaseImagePicker).
 */
export function defineImageChoiceStore(id: string) {
  return defineStore(id, () => {
    const dataset = shallowRef<ImageDataset>({ splits: [], classNames: [], error: null })
    const mode = ref<ImageMode>('index')
    const split = ref<SplitName>('test')
    const index = ref(0)
    const imageClass = ref(0)
    const nth = ref(0)
    const file = shallowRef<{ name: string; bytes: Uint8Array<ArrayBuffer> } | null>(null)

    const splitCount = computed(() => dataset.value.splits.find((s) => s.name === split.value)?.count ?? 0)
    /** The choice as the API takes it, or null while there is nothing to show (no file yet, no readable dataset). */
    const image = computed<ImageChoice | null>(() => {
      if (mode.value === 'file') return file.value ? { encoded: file.value.bytes, name: file.value.name } : null
      if (dataset.value.splits.length === 0) return null
      if (mode.value === 'class') return { split: split.value, class: imageClass.value, nth: nth.value }
      return { split: split.value, index: index.value }
    })

    /**
     * A new run's dataset: the preferred split (else test, else the first), its first example; a
     * file if the dataset cannot be read. A file opened for the previous run belongs to it and is
     * dropped, so one run's upload is never explained or exported as another's.
     */
    function reset(next: ImageDataset, preferredSplit?: SplitName): void {
      dataset.value = next
      file.value = null
      if (mode.value === 'file') mode.value = 'index'
      const names = next.splits.map((s) => s.name)
      split.value = preferredSplit && names.includes(preferredSplit) ? preferredSplit : names.includes('test') ? 'test' : (names[0] ?? 'test')
      index.value = 0
      nth.value = 0
      if (imageClass.value >= next.classNames.length) imageClass.value = 0
      if (next.error) mode.value = 'file'
      else if (mode.value === 'class' && next.classNames.length === 0) mode.value = 'index'
    }

    function setFile(name: string, bytes: Uint8Array<ArrayBuffer>): void {
      file.value = { name, bytes }
      mode.value = 'file'
    }

    /** A file opened or dropped: refused with a notice above the upload limit. */
    async function openFile(f: File): Promise<void> {
      if (f.size > MAX_UPLOAD_BYTES) {
        useNotificationsStore().error(new Error(`${f.name} is ${(f.size / 1e6).toFixed(1)} MB; open an image under ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`))
        return
      }
      setFile(f.name, new Uint8Array(await f.arrayBuffer()))
    }

    function setIndex(next: number): void {
      if (Number.isInteger(next)) index.value = Math.min(Math.max(0, splitCount.value - 1), Math.max(0, next))
    }

    function setSplit(next: SplitName): void {
      split.value = next
      index.value = 0
    }

    /** The previous or next example (by index, or the nth of the class). */
    function step(delta: number): void {
      if (mode.value === 'class') nth.value = Math.max(0, nth.value + delta)
      else setIndex(index.value + delta)
    }

    return { dataset, mode, split, index, imageClass, nth, file, splitCount, image, reset, setFile, openFile, setIndex, setSplit, step }
  })
}

export type ImageChoiceStore = ReturnType<ReturnType<typeof defineImageChoiceStore>>
