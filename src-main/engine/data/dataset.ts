import { join } from 'node:path'
import type { DatasetSummary, DatasetWarning, LabelSpec, SampleRef, SplitName } from '../../../src-shared/dataset'
import { ApiError } from '../../../src-shared/errors'
import { convertRawInto, decodeFileInto, thumbnailFromFile, thumbnailFromRaw, type Fit } from './decode'
import type { ModelInputShape } from '../../../src-shared/model'
import { resolveLabel } from './label'
import { DATA_LIMITS, mapLimited } from './limits'
import { buildSummary } from './summary'
import type { DatasetTable, IdxSource, SplitTable } from './table'
import { WarningCollector } from './warnings'

export type { Fit } from './decode'

export interface Batch {
  /** N×H×W×C floats in 0..1, N = indices.length. */
  x: Float32Array<ArrayBuffer>
  /** One label per row of x: class index, or 0/1 for an attribute. */
  labels: Int32Array<ArrayBuffer>
  /** The examples in x, in order; fewer than asked for when some failed to decode. */
  indices: Int32Array<ArrayBuffer>
  /** Examples left out because their file could not be decoded. */
  failed: { index: number; file: string; reason: string }[]
}

export interface ReadOptions {
  /** Attribute to use as the label instead of the dataset's label (CelebA layout). */
  label?: string
  /** How to fit images of another aspect ratio; default "fill". */
  fit?: Fit
}

export interface ImageData {
  /** H×W×C floats in 0..1. */
  x: Float32Array<ArrayBuffer>
  width: number
  height: number
  channels: number
  label: number
  file: string | null
}

/**
 * An opened dataset under one label. Split views read images on demand, a batch at a time,
 * so memory holds only file names and labels (IDX pixels excepted: they are small).
 */
export class Dataset {
  readonly summary: DatasetSummary
  readonly label: LabelSpec
  /** Decode failures met while reading batches, reported like the warnings found on open. */
  readonly runtimeWarnings = new WarningCollector()
  private readonly views = new Map<SplitName, DatasetSplit>()

  constructor(
    readonly table: DatasetTable,
    label: LabelSpec,
    readonly maxPixels: number = DATA_LIMITS.maxPixels
  ) {
    this.label = label
    this.summary = buildSummary(table, label, this.classNames, (s) => this.labelsFor(s, undefined))
  }

  get splitNames(): SplitName[] {
    return this.table.splits.map((s) => s.name)
  }

  /** Names of the current label's classes, by index: class names, or ["not X", "X"]. */
  get classNames(): string[] {
    return this.label.kind === 'class' ? this.table.classNames : [`not ${this.label.attribute}`, this.label.attribute]
  }

  get attributeNames(): string[] {
    return this.table.attributeNames
  }

  /** The model's natural input shape: the most common image size and its channels. */
  get inputShape(): ModelInputShape {
    return { width: this.table.image.width, height: this.table.image.height, channels: this.table.image.channels }
  }

  /**
   * The same data under another label (an attribute name, or undefined for the default),
   * without reading the folder again: two models can train on one dataset with two labels.
   */
  withLabel(label: string | undefined): Dataset {
    const spec = resolveLabel(this.table, label)
    if (spec.kind === this.label.kind && (spec.kind === 'class' || (this.label.kind === 'attribute' && spec.attribute === this.label.attribute))) return this
    return new Dataset(this.table, spec, this.maxPixels)
  }

  /** A sample grid thumbnail (PNG, at most size×size) by its reference in the summary. */
  thumbnail(ref: SampleRef, size = 64): Promise<Buffer> {
    return this.split(ref.split).thumbnail(ref.index, size)
  }

  has(name: SplitName): boolean {
    return this.table.splits.some((s) => s.name === name)
  }

  split(name: SplitName): DatasetSplit {
    let view = this.views.get(name)
    if (view) return view
    const table = this.table.splits.find((s) => s.name === name)
    if (!table) throw new ApiError('invalid_request', `${this.table.name} has no "${name}" split; it has ${this.splitNames.join(', ')}`)
    view = new DatasetSplit(this, table)
    this.views.set(name, view)
    return view
  }

  /** Problems found on open plus those found while reading, for the warnings list. */
  warnings(): DatasetWarning[] {
    return [...this.summary.warnings, ...this.runtimeWarnings.list()]
  }

  /** Resolves a label name: undefined means the dataset's label. */
  labelSpec(label: string | undefined): LabelSpec {
    if (label === undefined) return this.label
    if (!this.table.attributeNames.includes(label)) {
      const known = this.table.attributeNames.length ? `one of ${this.table.attributeNames.join(', ')}` : 'no attributes (its labels are classes)'
      throw new ApiError('invalid_request', `${this.table.name} has no attribute "${label}"; it has ${known}`)
    }
    return { kind: 'attribute', attribute: label }
  }

  /** @internal Label vector of a split under a label; cached per split and label. */
  labelsFor(split: SplitTable, label: string | undefined): Int32Array<ArrayBuffer> {
    const spec = this.labelSpec(label)
    if (spec.kind === 'class') {
      if (!split.classIndex) throw new ApiError('invalid_request', `${this.table.name} is labelled by attributes; choose one of ${this.table.attributeNames.join(', ')}`)
      return split.classIndex
    }
    const A = this.table.attributeNames.length
    const a = this.table.attributeNames.indexOf(spec.attribute)
    const out = new Int32Array(split.count)
    for (let i = 0; i < split.count; i++) out[i] = split.attributes![i * A + a]
    return out
  }
}

export class DatasetSplit {
  private readonly labelCache = new Map<string, Int32Array<ArrayBuffer>>()
  /** Examples that failed to decode so far; each is reported once, however often it is read. */
  readonly failedIndices = new Set<number>()

  constructor(
    readonly dataset: Dataset,
    private readonly table: SplitTable
  ) {}

  get name(): SplitName {
    return this.table.name
  }

  get count(): number {
    return this.table.count
  }

  /** Label of every example: class index, or 0/1 for `label` (an attribute name). */
  labels(label?: string): Int32Array<ArrayBuffer> {
    const key = label ?? ''
    let cached = this.labelCache.get(key)
    if (!cached) this.labelCache.set(key, (cached = this.dataset.labelsFor(this.table, label)))
    return cached
  }

  /** The example's file relative to the dataset folder (null for IDX). */
  file(index: number): string | null {
    this.check(index)
    return this.table.source.kind === 'files' ? this.table.source.files[index] : null
  }

  /** Decodes the examples at `indices` into one NHWC float batch. */
  async readBatch(indices: ArrayLike<number>, shape: ModelInputShape, options: ReadOptions = {}): Promise<Batch> {
    checkShape(shape)
    const all = this.labels(options.label)
    const fit = options.fit ?? 'fill'
    const size = shape.width * shape.height * shape.channels
    const x = new Float32Array(indices.length * size)
    const list = Array.from(indices)
    for (const i of list) this.check(i)
    const errors = await mapLimited(list, DATA_LIMITS.concurrency, async (index, slot) => {
      try {
        await this.decodeInto(index, shape, fit, x, slot * size)
        return null
      } catch (err) {
        return (err as Error).message
      }
    })
    const failed: Batch['failed'] = []
    const kept: number[] = []
    errors.forEach((reason, slot) => {
      if (reason === null) {
        if (kept.length !== slot) x.copyWithin(kept.length * size, slot * size, slot * size + size)
        kept.push(list[slot])
        return
      }
      const file = this.file(list[slot]) ?? String(list[slot])
      if (!this.failedIndices.has(list[slot])) this.dataset.runtimeWarnings.add('decode_failed', file)
      this.failedIndices.add(list[slot])
      failed.push({ index: list[slot], file, reason })
    })
    return {
      x: kept.length === list.length ? x : x.slice(0, kept.length * size),
      labels: Int32Array.from(kept, (i) => all[i]),
      indices: Int32Array.from(kept),
      failed
    }
  }

  /** One image, at `shape` or else its own size, for feature-map views. */
  async readImage(index: number, shape?: ModelInputShape, options: ReadOptions = {}): Promise<ImageData> {
    this.check(index)
    const own = this.ownShape(index)
    const target = shape ?? own
    checkShape(target)
    const x = new Float32Array(target.width * target.height * target.channels)
    try {
      await this.decodeInto(index, target, options.fit ?? 'fill', x, 0)
    } catch (err) {
      throw new ApiError('bad_input', `${this.file(index) ?? `image ${index}`}: cannot be decoded (${(err as Error).message})`)
    }
    return { x, ...target, label: this.labels(options.label)[index], file: this.file(index) }
  }

  /** A PNG thumbnail (at most size×size) for the sample grid. */
  async thumbnail(index: number, size = 64): Promise<Buffer> {
    this.check(index)
    const source = this.table.source
    try {
      if (source.kind === 'idx') return await thumbnailFromRaw(idxImage(source, index), source.cols, source.rows, 1, size)
      const known = { width: source.widths[index], height: source.heights[index] }
      return await thumbnailFromFile(join(source.root, source.files[index]), known, size, this.dataset.maxPixels)
    } catch (err) {
      throw new ApiError('bad_input', `${this.file(index) ?? `image ${index}`}: cannot be decoded (${(err as Error).message})`)
    }
  }

  private ownShape(index: number): ModelInputShape {
    const source = this.table.source
    const channels = this.dataset.table.image.channels
    if (source.kind === 'idx') return { width: source.cols, height: source.rows, channels }
    return { width: source.widths[index], height: source.heights[index], channels }
  }

  private async decodeInto(index: number, shape: ModelInputShape, fit: Fit, dst: Float32Array, offset: number): Promise<void> {
    const source = this.table.source
    if (source.kind === 'idx') {
      const pixels = idxImage(source, index)
      if (shape.width === source.cols && shape.height === source.rows && shape.channels === 1) {
        for (let p = 0; p < pixels.length; p++) dst[offset + p] = pixels[p] / 255
      } else convertRawInto(pixels, source.cols, source.rows, 1, shape, fit, dst, offset)
      return
    }
    const known = { width: source.widths[index], height: source.heights[index] }
    await decodeFileInto(join(source.root, source.files[index]), known, shape, { fit, maxPixels: this.dataset.maxPixels }, dst, offset)
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.table.count) {
      throw new ApiError('invalid_request', `example ${index} is out of range: the ${this.table.name} split has ${this.table.count} examples (0..${this.table.count - 1})`)
    }
  }
}

/** One IDX image as row-major bytes (EMNIST's column-major images are transposed back). */
function idxImage(source: IdxSource, index: number): Uint8Array {
  const n = source.rows * source.cols
  const raw = source.pixels.subarray(index * n, index * n + n)
  if (!source.transposed) return raw
  const out = new Uint8Array(n)
  for (let r = 0; r < source.rows; r++) for (let c = 0; c < source.cols; c++) out[r * source.cols + c] = raw[c * source.rows + r]
  return out
}

function checkShape(shape: ModelInputShape): void {
  const ok = (v: number): boolean => Number.isInteger(v) && v >= 1 && v <= 4096
  if (!ok(shape.width) || !ok(shape.height) || (shape.channels !== 1 && shape.channels !== 3)) {
    throw new ApiError('invalid_request', `input shape ${shape.width}×${shape.height}×${shape.channels} is not valid: width and height must be 1..4096 and channels 1 or 3`)
  }
}
