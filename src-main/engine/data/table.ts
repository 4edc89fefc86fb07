import type { DatasetFormat, ImageShape, SplitName, SyntheticInfo } from '../../../src-shared/dataset'
import type { ImageEncoding } from './probe'
import type { WarningCollector } from './warnings'

/** Images stored as files; sizes come from the probe and pick the faster decode path. */
export interface FileSource {
  kind: 'files'
  /** Folder the relative names are resolved against. */
  root: string
  files: string[]
  widths: Uint32Array
  heights: Uint32Array
}

/** Images held in memory as bytes (IDX): count×rows×cols, grey. */
export interface IdxSource {
  kind: 'idx'
  file: string
  rows: number
  cols: number
  pixels: Uint8Array
  /** EMNIST stores each image transposed (column-major). */
  transposed: boolean
}

export interface SplitTable {
  name: SplitName
  count: number
  source: FileSource | IdxSource
  /** Class index per example, for class-labelled formats. */
  classIndex: Int32Array<ArrayBuffer> | null
  /** count×attributeNames.length values 0/1, for the CelebA layout. */
  attributes: Uint8Array | null
}

/** Everything read from a dataset folder, before a label is chosen for training. */
export interface DatasetTable {
  format: DatasetFormat
  name: string
  path: string
  location: string
  bundled: boolean
  /** Class names for class-labelled formats; empty for attribute datasets. */
  classNames: string[]
  attributeNames: string[]
  splits: SplitTable[]
  image: ImageShape
  warnings: WarningCollector
  synthetic: SyntheticInfo | null
}

/** Collects image sizes, channels and encodings into the summary's ImageShape. */
export class ShapeTally {
  private readonly sizes = new Map<string, { width: number; height: number; count: number }>()
  private readonly encodings: Record<string, number> = {}
  private colour = 0
  private total = 0

  add(width: number, height: number, channels: number, encoding: ImageEncoding | 'idx', times = 1): void {
    const key = `${width}x${height}`
    const entry = this.sizes.get(key)
    if (entry) entry.count += times
    else this.sizes.set(key, { width, height, count: times })
    this.encodings[encoding] = (this.encodings[encoding] ?? 0) + times
    if (channels >= 3) this.colour += times
    this.total += times
  }

  shape(): ImageShape {
    const sizes = [...this.sizes.values()].sort((a, b) => b.count - a.count || b.width * b.height - a.width * a.height)
    const top = sizes[0] ?? { width: 0, height: 0, count: 0 }
    return {
      width: top.width,
      height: top.height,
      // Any colour image makes the dataset colour: grey images convert to RGB without loss.
      channels: this.colour > 0 ? 3 : 1,
      uniform: sizes.length <= 1,
      sizes: sizes.slice(0, 5),
      encodings: { ...this.encodings }
    }
  }

  distinctSizes(): number {
    return this.sizes.size
  }
}
