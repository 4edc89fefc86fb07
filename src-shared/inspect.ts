/**
 * Plain data of the run inspector (issue 6): what a run's network does with an image, its
 * filters, and its weights over training. Large arrays are typed arrays, so they cross either
 * transport as binary. Maps are channel-major ([c][h][w]) so one channel is one contiguous run.
 */
import { z } from 'zod'
import { SplitName } from './dataset'
import { ModelSource } from './model'

// z.custom rather than z.instanceof: the engine's arrays are views over any ArrayBufferLike.
const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
const u32 = z.custom<Uint32Array>((v) => v instanceof Uint32Array, 'expected a Uint32Array')
const int = z.number().int()
const count = int.nonnegative()

/** Largest uploaded image accepted, below the web host's 16 MB message limit. */
export const MAX_UPLOAD_BYTES = 12 * 1024 * 1024

export const InspectRunId = z.string().min(1, 'choose a run (runId is empty)')
export const InspectEpoch = count

/** Which image to look at: a dataset example by index, the nth example of a class, or an uploaded file. */
export const ImageChoice = z.union([
  z.object({ split: SplitName, index: count }).strict(),
  z.object({ split: SplitName, class: count, nth: count.default(0) }).strict(),
  z
    .object({
      encoded: z
        .instanceof(Uint8Array)
        .refine((b) => b.byteLength > 0, 'the uploaded image is empty')
        .refine((b) => b.byteLength <= MAX_UPLOAD_BYTES, `the uploaded image is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; use a smaller PNG or JPEG`),
      /** The file name, for messages. */
      name: z.string().max(260).optional()
    })
    .strict()
])
export type ImageChoice = z.input<typeof ImageChoice>

/** A weight tensor by its stored name (`conv1/kernel`) or position in the model's weight list. */
export const WeightRef = z.union([z.string().min(1), count])
export type WeightRef = z.infer<typeof WeightRef>

export const MatrixRegion = z.object({ row: count, col: count, rows: int.positive(), cols: int.positive() }).strict()
export type MatrixRegion = z.infer<typeof MatrixRegion>

export const PoolMode = z.enum(['maxabs', 'mean'])
export type PoolMode = z.infer<typeof PoolMode>

/** A (possibly block-pooled) view of a matrix; 1×1 blocks hold the exact values. */
export const MatrixView = z.object({
  data: f32,
  rows: count,
  cols: count,
  sourceRows: count,
  sourceCols: count,
  rowOffset: count,
  colOffset: count,
  regionRows: count,
  regionCols: count,
  blockRows: count,
  blockCols: count,
  mode: PoolMode,
  min: z.number(),
  max: z.number()
})
export type MatrixView = z.infer<typeof MatrixView>

/** How a weight tensor is shown as a 2-D matrix (conv kernels are reshaped; the reshape is said). */
export const WeightLayout = z.object({
  kind: z.enum(['vector', 'dense', 'conv1d', 'conv2d', 'generic']),
  shape: z.array(count),
  rows: count,
  cols: count,
  rowMeaning: z.string(),
  colMeaning: z.string(),
  description: z.string()
})
export type WeightLayout = z.infer<typeof WeightLayout>

export const InspectLayer = z.object({
  name: z.string(),
  className: z.string(),
  /** Output shape without the batch axis. */
  outputShape: z.array(z.number().int().nullable()),
  /** True when the output is a [h, w, c] feature map. */
  spatial: z.boolean(),
  /** Conv layers with a kernel to show as filters. */
  hasFilters: z.boolean(),
  activation: z.string().nullable()
})
export type InspectLayer = z.infer<typeof InspectLayer>

export const InspectWeight = z.object({
  position: count,
  name: z.string(),
  layer: z.string(),
  shape: z.array(count),
  layout: WeightLayout
})
export type InspectWeight = z.infer<typeof InspectWeight>

/** What the inspector needs to offer choices: epochs, layers, weights, the dataset's splits. */
export const InspectOverview = z.object({
  runId: z.string(),
  name: z.string(),
  status: z.string(),
  model: z.string(),
  /** The image the model takes, or null for a model of vectors (no feature maps then). */
  input: z.object({ height: count, width: count, channels: count }).nullable(),
  epochs: z.array(count),
  layers: z.array(InspectLayer),
  weights: z.array(InspectWeight),
  dataset: z.object({
    path: z.string(),
    splits: z.array(z.object({ name: SplitName, count })),
    classNames: z.array(z.string()),
    /** Why the dataset cannot be read (moved, deleted); uploaded images still work. */
    error: z.string().nullable()
  }),
  /** For an opened model: its file, class names and the preprocessing its first layer does. */
  source: ModelSource.nullable().default(null)
})
export type InspectOverview = z.infer<typeof InspectOverview>

export const FeatureMapLayer = z.object({
  name: z.string(),
  className: z.string(),
  shape: z.tuple([count, count, count]),
  /** c maps of h×w, channel-major. */
  maps: f32,
  /** Per channel: mean and standard deviation of |F| (the channel descriptor of Park & Kim 2019). */
  mu: f32,
  sigma: f32,
  min: z.number(),
  max: z.number()
})
export type FeatureMapLayer = z.infer<typeof FeatureMapLayer>

export const InspectInputImage = z.object({
  height: count,
  width: count,
  channels: count,
  /** What the model saw: h×w×c values in 0..1, channels last. */
  pixels: f32,
  /** e.g. "test #12" or the uploaded file's name. */
  source: z.string(),
  split: SplitName.nullable(),
  index: count.nullable(),
  label: int.nullable(),
  labelName: z.string().nullable()
})
export type InspectInputImage = z.infer<typeof InspectInputImage>

export const FeatureMapsResponse = z.object({
  runId: z.string(),
  epoch: count,
  input: InspectInputImage,
  layers: z.array(FeatureMapLayer),
  /** The network's output for the image (class probabilities, or a single sigmoid). */
  output: f32.nullable(),
  classNames: z.array(z.string())
})
export type FeatureMapsResponse = z.infer<typeof FeatureMapsResponse>

export const FilterView = z.enum(['auto', 'rgb', 'perInput', 'mean', 'l2', 'maxabs'])
export type FilterView = z.infer<typeof FilterView>
export const FilterNormalise = z.enum(['filter', 'layer'])
export type FilterNormalise = z.infer<typeof FilterNormalise>

export const FilterLayer = z.object({
  name: z.string(),
  kernel: z.tuple([count, count]),
  inChannels: count,
  outChannels: count,
  /** The view actually used ('auto' resolved). */
  view: FilterView.exclude(['auto']),
  /** Filters and input channels included (the first ones, when capped). */
  filters: count,
  inputs: count,
  /**
   * rgb: [filters, kh, kw, 3] in 0..1 (0.5 = zero weight); perInput: [filters, inputs, kh, kw]
   * in −1..1; mean and maxabs: [filters, kh, kw] in −1..1; l2: [filters, kh, kw] in 0..1.
   */
  values: f32,
  /** Per filter shown: the |w| that maps to the end of the scale (all equal when shared). */
  scales: f32
})
export type FilterLayer = z.infer<typeof FilterLayer>

export const FiltersResponse = z.object({ runId: z.string(), epoch: count, normalise: FilterNormalise, layers: z.array(FilterLayer) })
export type FiltersResponse = z.infer<typeof FiltersResponse>

export const EpochWeightSummary = z.object({
  epoch: count,
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation over the layer's weights. */
  std: z.number(),
  /** Frobenius (L2) norm of the weights. */
  norm: z.number(),
  /** ‖W_epoch − W_previous‖_F, null for the first epoch fed. */
  changeNorm: z.number().nullable(),
  /** changeNorm / ‖W_previous‖_F, null for the first epoch or a zero previous norm. */
  relativeChange: z.number().nullable()
})
export type EpochWeightSummary = z.infer<typeof EpochWeightSummary>

export const WeightMatrixResponse = z.object({
  runId: z.string(),
  epoch: count,
  position: count,
  name: z.string(),
  layout: WeightLayout,
  matrix: MatrixView
})
export type WeightMatrixResponse = z.infer<typeof WeightMatrixResponse>

export const WeightHistogram = z.object({
  epoch: count,
  /** bins + 1 equal-width edges over this epoch's range. */
  edges: f32,
  counts: u32
})
export type WeightHistogram = z.infer<typeof WeightHistogram>

export const WeightStatsResponse = z.object({
  runId: z.string(),
  position: count,
  name: z.string(),
  layout: WeightLayout,
  /** The cached epochs the statistics cover, in order. */
  epochs: z.array(count),
  /** Per-weight mean and (population) variance across those epochs, in the layout's matrix. */
  mean: MatrixView,
  variance: MatrixView,
  summaries: z.array(EpochWeightSummary),
  histograms: z.array(WeightHistogram)
})
export type WeightStatsResponse = z.infer<typeof WeightStatsResponse>

export const WeightValueResponse = z.object({
  row: count,
  col: count,
  /** Coordinates of the weight in the stored tensor, one per axis. */
  index: z.array(count),
  value: z.number()
})
export type WeightValueResponse = z.infer<typeof WeightValueResponse>

export const ChangeNormLayer = z.object({
  position: count,
  name: z.string(),
  shape: z.array(count),
  /** Per epoch: ‖W‖, ‖W_e − W_e−1‖ and that over ‖W_e−1‖ (NaN for the first epoch). */
  norms: f32,
  changeNorms: f32,
  relativeChanges: f32
})
export type ChangeNormLayer = z.infer<typeof ChangeNormLayer>

export const ChangeNormsResponse = z.object({ runId: z.string(), epochs: z.array(count), layers: z.array(ChangeNormLayer) })
export type ChangeNormsResponse = z.infer<typeof ChangeNormsResponse>

export const FlaggedChannel = z.object({
  channel: count,
  deadFraction: z.number(),
  alwaysOnFraction: z.number(),
  status: z.enum(['dead', 'always_on']),
  hint: z.string()
})
export type FlaggedChannel = z.infer<typeof FlaggedChannel>

export const ChannelActivityLayer = z.object({
  name: z.string(),
  className: z.string(),
  activation: z.string().nullable(),
  channels: count,
  tolerance: z.number(),
  /** Per channel: fraction of images where it is near zero everywhere / active everywhere. */
  deadFraction: f32,
  alwaysOnFraction: f32,
  flagged: z.array(FlaggedChannel),
  deadCount: count,
  alwaysOnCount: count
})
export type ChannelActivityLayer = z.infer<typeof ChannelActivityLayer>

export const ChannelsResponse = z.object({
  runId: z.string(),
  epoch: count,
  split: SplitName,
  images: count,
  relativeTolerance: z.number(),
  flagFraction: z.number(),
  layers: z.array(ChannelActivityLayer)
})
export type ChannelsResponse = z.infer<typeof ChannelsResponse>

export const StrongestActivation = z.object({
  channel: count,
  value: z.number(),
  /** The dataset example (in the split) and the position of the strongest unit. */
  index: count,
  y: count,
  x: count,
  /** That example's map of this channel, h×w. */
  map: f32,
  /** The input region the unit sees (its receptive field), ph×pw×c, NaN outside the image. */
  patch: f32
})
export type StrongestActivation = z.infer<typeof StrongestActivation>

export const EvolutionResponse = z.object({
  runId: z.string(),
  layer: z.string(),
  split: SplitName,
  images: count,
  mapShape: z.tuple([count, count, count]),
  patchShape: z.tuple([count, count, count]),
  epochs: z.array(z.object({ epoch: count, channels: z.array(StrongestActivation) }))
})
export type EvolutionResponse = z.infer<typeof EvolutionResponse>
