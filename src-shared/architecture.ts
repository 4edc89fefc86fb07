import { z } from 'zod'
import { ModelInputShape } from './model'

/** [height, width]: every spatial quantity is kept per axis so non-square inputs stay exact. */
export const AxisPair = z.tuple([z.number(), z.number()])
export type AxisPair = z.infer<typeof AxisPair>

/**
 * The receptive field of one output unit along one axis, in input pixels. `start` is the centre
 * of the first unit's field in pixel-index coordinates (0 is the centre of the first pixel); it
 * can be negative or fractional. The effective padding of Araujo et al. 2019 is (size − 1)/2 − start.
 */
export const AxisField = z.object({
  size: z.number(),
  jump: z.number(),
  start: z.number()
})
export type AxisField = z.infer<typeof AxisField>

export const ReceptiveField = z.object({ height: AxisField, width: AxisField })
export type ReceptiveField = z.infer<typeof ReceptiveField>

export const LayerKind = z.enum([
  'input',
  'conv',
  'pool',
  'globalPool',
  'padding',
  'crop',
  'normalization',
  'activation',
  'dropout',
  'flatten',
  'dense',
  'merge',
  'other'
])
export type LayerKind = z.infer<typeof LayerKind>

export const LayerPadding = z.object({
  /** `same` and `valid` as in Keras; `explicit` for ZeroPadding2D / Cropping2D amounts. */
  mode: z.enum(['valid', 'same', 'explicit']),
  /** Pixels actually added before/after on each side (TF puts the odd one after). */
  top: z.number().int(),
  bottom: z.number().int(),
  left: z.number().int(),
  right: z.number().int()
})
export type LayerPadding = z.infer<typeof LayerPadding>

/**
 * `spatial`: each output unit sees a bounded window of the input (receptiveField is set).
 * `global`: each unit sees the whole input (after Flatten, Dense or global pooling).
 * `unknown`: a layer type whose geometry is not modelled sits on the way (see note).
 */
export const FieldKind = z.enum(['spatial', 'global', 'unknown'])
export type FieldKind = z.infer<typeof FieldKind>

export const ArchitectureRow = z.object({
  index: z.number().int().nonnegative(),
  /** The layer name every analysis view refers to, e.g. `block3_conv2`. */
  name: z.string(),
  /** Keras/TF.js class name, e.g. `Conv2D`, `MaxPooling2D`. */
  type: z.string(),
  kind: LayerKind,
  /** Names of the layers feeding this one. */
  inputs: z.array(z.string()),
  kernel: AxisPair.nullable(),
  stride: AxisPair.nullable(),
  dilation: AxisPair.nullable(),
  padding: LayerPadding.nullable(),
  /** Output shape without the batch axis: [h, w, c] for maps, [n] for vectors. */
  outputShape: z.array(z.number().int()),
  params: z.number().int().nonnegative(),
  trainableParams: z.number().int().nonnegative(),
  /** Multiply-accumulates of conv and dense layers for one image; other layers count 0. */
  flops: z.number().int().nonnegative(),
  fieldKind: FieldKind,
  receptiveField: ReceptiveField.nullable(),
  /** Conv and pooling layers on the longest path from the input to here: the profile's x axis. */
  depth: z.number().int().nonnegative(),
  note: z.string().nullable()
})
export type ArchitectureRow = z.infer<typeof ArchitectureRow>

export const ArchitectureTable = z.object({
  model: z.string(),
  input: ModelInputShape,
  rows: z.array(ArchitectureRow),
  totals: z.object({
    params: z.number().int().nonnegative(),
    trainableParams: z.number().int().nonnegative(),
    flops: z.number().int().nonnegative()
  })
})
export type ArchitectureTable = z.infer<typeof ArchitectureTable>
