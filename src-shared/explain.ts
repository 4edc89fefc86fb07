/**
 * Plain data of the Explain page: occlusion sensitivity, gradient maps, units projected to
 * pixels (deconvnet, guided backpropagation), top activations per channel, invariance curves,
 * and pointing figures checked against the synthetic faces' evidence regions.
 */
import { z } from 'zod'
import { TaskId } from './api/tasks'
import { SplitName } from './dataset'
import { ImageChoice, InspectEpoch, InspectInputImage, InspectRunId } from './inspect'

const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
const i32 = z.custom<Int32Array>((v) => v instanceof Int32Array, 'expected an Int32Array')
const int = z.number().int()
const count = int.nonnegative()
const taskId = TaskId.optional()
const layer = z.string().min(1, 'layer: choose a layer')

/** Every attribution method, declared once: requests, the CLI, figures and the engine's registry use these names. */
export const AttributionMethod = z.enum(['occlusion', 'gradcam', 'saliency', 'deconvnet', 'guided'])
export type AttributionMethod = z.infer<typeof AttributionMethod>

/** What an attribution map is: the name people read, what it explains, what a value means and in which units. */
export interface AttributionInfo {
  label: string
  /** A class's score (one value per pixel), or one unit of a layer (one value per pixel and colour channel). */
  explains: 'class' | 'unit'
  meaning: string
  units: string
  /** The colour scale's label on a figure of the map. */
  scale: string
}

export const attributionInfo: Record<AttributionMethod, AttributionInfo> = {
  occlusion: { label: 'occlusion', explains: 'class', meaning: 'mean drop in P(class) over the positions of the grey square that cover the pixel', units: 'probability', scale: 'drop in P(class)' },
  gradcam: { label: 'Grad-CAM', explains: 'class', meaning: 'ReLU(Σ_k α_k A_k) at the layer, bilinearly upsampled to the input', units: 'class score (before the softmax)', scale: 'Grad-CAM' },
  saliency: { label: 'saliency', explains: 'class', meaning: 'max over colour channels of |∂ class score / ∂ pixel|', units: 'class score per unit of pixel value', scale: '|∂ score / ∂ pixel|' },
  deconvnet: { label: 'deconvnet', explains: 'unit', meaning: "the unit's activation sent down to the pixels by the deconvnet (max-pool switches, rectification, transposed filters)", units: 'activation per unit of pixel value', scale: 'grey = 0' },
  guided: { label: 'guided backpropagation', explains: 'unit', meaning: '∂ unit / ∂ pixel with only positive signals passed back through each ReLU', units: 'activation per unit of pixel value', scale: 'grey = 0' }
}

/** Methods that explain a class with one value per pixel, so their maps can be checked against evidence regions. */
export const PointingMethod = AttributionMethod.extract(['occlusion', 'gradcam', 'saliency'])
export type PointingMethod = z.infer<typeof PointingMethod>

export const ExplainLayer = z.object({
  name: z.string(),
  className: z.string(),
  /** Output shape without the batch axis. */
  shape: z.array(count),
  /** Has height × width × channels maps (Grad-CAM, projections, top activations). */
  spatial: z.boolean()
})
export type ExplainLayer = z.infer<typeof ExplainLayer>

export const OcclusionDefaults = z.object({ patch: count, stride: count, fill: z.number() })

export const ExplainOverview = z.object({
  runId: z.string(),
  name: z.string(),
  epochs: z.array(count),
  input: z.object({ height: count, width: count, channels: count }),
  layers: z.array(ExplainLayer),
  classNames: z.array(z.string()),
  /** The attribute the run was trained on (a synthetic-faces run), or null. */
  attribute: z.string().nullable(),
  dataset: z.object({
    path: z.string(),
    splits: z.array(z.object({ name: SplitName, count })),
    /** Why the dataset cannot be read (moved, deleted); uploaded images still work. */
    error: z.string().nullable(),
    /** Attributes with evidence masks (synthetic faces); empty otherwise. */
    evidence: z.array(z.string())
  }),
  defaults: z.object({
    occlusion: OcclusionDefaults,
    occlusionLayer: z.string(),
    gradcamLayer: z.string(),
    invarianceLayers: z.tuple([z.string(), z.string()])
  })
})
export type ExplainOverview = z.infer<typeof ExplainOverview>

/** One image of a run at an epoch (the last stored one by default). */
const imageRequest = { runId: InspectRunId, epoch: InspectEpoch.optional(), image: ImageChoice }
/** The class to explain; the image's true class by default (the predicted one for an upload). */
const classChoice = count.optional()

export const OcclusionRequest = z
  .object({
    ...imageRequest,
    patch: int.optional(),
    stride: int.optional(),
    fill: z.union([z.number(), z.literal('mean')]).optional(),
    layer: layer.optional(),
    class: classChoice,
    taskId
  })
  .strict()
export type OcclusionRequest = z.output<typeof OcclusionRequest>

/** Whether the class explained is the image's true label, the model's prediction, or the one asked for. */
export const ClassSource = z.enum(['label', 'prediction', 'chosen'])
export type ClassSource = z.infer<typeof ClassSource>

const explained = {
  runId: z.string(),
  epoch: count,
  input: InspectInputImage,
  classNames: z.array(z.string()),
  /** The class explained, and where it came from. */
  class: count,
  classSource: ClassSource
}

export const OcclusionResponse = z.object({
  ...explained,
  patch: count,
  stride: count,
  fill: z.array(z.number()),
  tops: z.array(count),
  lefts: z.array(count),
  layer: z.string(),
  channel: count,
  activation: f32,
  probability: f32,
  label: i32,
  unoccluded: z.object({ activation: z.number(), probability: z.number(), label: count, probabilities: f32 }),
  attribution: f32
})
export type OcclusionResponse = z.infer<typeof OcclusionResponse>

export const GradientsRequest = z.object({ ...imageRequest, layer: layer.optional(), class: classChoice }).strict()
export type GradientsRequest = z.output<typeof GradientsRequest>
export const GradientsResponse = z.object({
  ...explained,
  gradcam: z.object({ layer: z.string(), map: f32, mapHeight: count, mapWidth: count, upsampled: f32 }),
  /** max over channels of |∂score/∂x|, H×W. */
  saliency: f32
})
export type GradientsResponse = z.infer<typeof GradientsResponse>

export const ProjectRequest = z.object({ ...imageRequest, layer, channel: count.optional() }).strict()
export type ProjectRequest = z.output<typeof ProjectRequest>
export const ProjectResponse = z.object({
  runId: z.string(),
  epoch: count,
  input: InspectInputImage,
  layer: z.string(),
  unit: z.object({ y: count, x: count, channel: count, value: z.number() }),
  /** H×W×C projections to pixel space. */
  deconvnet: f32,
  guided: f32
})
export type ProjectResponse = z.infer<typeof ProjectResponse>

export const Top9Request = z
  .object({
    runId: InspectRunId,
    epochs: z.array(InspectEpoch).min(1, 'epochs: choose at least one epoch').max(8, 'epochs: at most 8 epochs side by side'),
    layer,
    channels: z.array(count).min(1, 'channels: choose at least one channel').max(16, 'channels: at most 16 channels per page'),
    split: SplitName.optional(),
    sample: z.number().int().min(9, 'sample: take at least 9 images').max(10_000, 'sample: at most 10000 images').default(300),
    seed: count.default(0),
    count: z.number().int().min(1).max(25).default(9),
    taskId
  })
  .strict()
export type Top9Request = z.output<typeof Top9Request>

export const TopActivationItem = z.object({ index: count, label: int, value: z.number(), y: count, x: count, patch: f32, deconvnet: f32, guided: f32 })
export type TopActivationItem = z.infer<typeof TopActivationItem>

export const Top9Response = z.object({
  runId: z.string(),
  layer: z.string(),
  /** Channels the layer has, for paging. */
  channelCount: count,
  split: SplitName,
  images: count,
  patchShape: z.tuple([count, count, count]),
  field: count.nullable(),
  classNames: z.array(z.string()),
  epochs: z.array(z.object({ epoch: count, channels: z.array(z.object({ channel: count, top: z.array(TopActivationItem) })) }))
})
export type Top9Response = z.infer<typeof Top9Response>

export const InvarianceTransform = z.enum(['translate', 'scale', 'rotate'])
export type InvarianceTransform = z.infer<typeof InvarianceTransform>

export const InvarianceRequest = z
  .object({
    runId: InspectRunId,
    epoch: InspectEpoch,
    images: z.array(ImageChoice).min(1, 'images: choose at least one image').max(16, 'images: at most 16 images'),
    transform: InvarianceTransform,
    from: z.number(),
    to: z.number(),
    steps: z.number().int().default(11),
    layers: z.tuple([layer, layer]).optional(),
    taskId
  })
  .strict()
export type InvarianceRequest = z.output<typeof InvarianceRequest>

export const InvarianceResponse = z.object({
  runId: z.string(),
  epoch: count,
  transform: InvarianceTransform,
  /** What the amounts are in: pixels down, scale factor, degrees. */
  unit: z.string(),
  amounts: z.array(z.number()),
  layers: z.array(z.string()),
  images: z.array(z.object({ source: z.string(), label: count, labelName: z.string(), labelSource: z.enum(['label', 'prediction']) })),
  distance: z.array(z.array(z.array(z.number()))),
  probability: z.array(z.array(z.number())),
  meanDistance: z.array(z.array(z.number())),
  meanProbability: z.array(z.number())
})
export type InvarianceResponse = z.infer<typeof InvarianceResponse>

export const PointingRequest = z
  .object({
    runId: InspectRunId,
    epoch: InspectEpoch.optional(),
    split: SplitName.optional(),
    count: z.number().int().min(1, 'count: take at least 1 image').max(2000, 'count: at most 2000 images').default(24),
    seed: count.default(0),
    methods: z.array(PointingMethod).min(1).default([...PointingMethod.options]),
    layer: layer.optional(),
    patch: int.optional(),
    stride: int.optional(),
    /** The run to compare with on the same images: by default the other run of this run's pair; null for none. */
    with: InspectRunId.nullable().optional(),
    taskId
  })
  .strict()
export type PointingRequest = z.output<typeof PointingRequest>

const Spread = z.object({ mean: z.number(), std: z.number(), min: z.number(), max: z.number() })

/** A value with its 95 % confidence interval (percentile bootstrap over the images). */
export const Estimate = z.object({ value: z.number(), low: z.number(), high: z.number() })
export type Estimate = z.infer<typeof Estimate>

export const VerdictKind = z.enum(['supported', 'not supported', 'inconclusive'])
export type VerdictKind = z.infer<typeof VerdictKind>

/** One claim tested on the data: its verdict, the sentence with the numbers that decide it, and the rule applied. */
export const Verdict = z.object({ claim: z.string(), verdict: VerdictKind, sentence: z.string(), threshold: z.string() })
export type Verdict = z.infer<typeof Verdict>

export const PointingRegion = z.object({
  attribute: z.string(),
  area: Spread,
  share: Spread,
  /** Mean share of positive mass ÷ mean share of the image (1: no preference); null when the region is empty on every image. */
  lift: Estimate.nullable(),
  /** Images the figures cover (those whose map had positive mass). */
  counted: count,
  /** Per image of `indices`: the share of positive mass (null where the map had none) and the region's share of the image. */
  shares: z.array(z.number().nullable()),
  areas: z.array(z.number())
})
export type PointingRegion = z.infer<typeof PointingRegion>

export const PairedRegion = z.object({
  attribute: z.string(),
  images: count,
  /** This run's lift, the other run's, and this minus the other, on the same resampled images. */
  lift: Estimate,
  otherLift: Estimate,
  difference: Estimate,
  /** Two-sided sign-flip permutation test of the per-image differences in share. */
  p: z.number(),
  sentence: z.string()
})
export type PairedRegion = z.infer<typeof PairedRegion>

export const PointingPaired = z.object({
  runId: z.string(),
  name: z.string(),
  attribute: z.string().nullable(),
  epoch: count,
  methods: z.array(z.object({ method: PointingMethod, regions: z.array(PairedRegion) })),
  verdicts: z.array(Verdict)
})
export type PointingPaired = z.infer<typeof PointingPaired>

export const PointingResponse = z.object({
  runId: z.string(),
  name: z.string(),
  epoch: count,
  attribute: z.string().nullable(),
  split: SplitName,
  seed: count,
  images: count,
  /** The dataset indices of the images, in the order of the per-image values. */
  indices: z.array(count),
  layer: z.string(),
  patch: count,
  stride: count,
  methods: z.array(z.object({ method: PointingMethod, empty: count, regions: z.array(PointingRegion) })),
  /** One sentence for each "X only" region: what it leaves out. */
  regionNotes: z.array(z.object({ region: z.string(), note: z.string() })),
  /** Confidence level of the intervals and the number of bootstrap resamples behind them. */
  level: z.number(),
  replicates: count,
  /** One per method: does the run's model point at its own attribute's region? Empty for a run trained on classes. */
  verdicts: z.array(Verdict),
  /** The comparison with the other run on the same images, or null (then pairedNote says why). */
  paired: PointingPaired.nullable(),
  pairedNote: z.string().nullable(),
  cached: z.boolean()
})
export type PointingResponse = z.infer<typeof PointingResponse>

/** Ranges that suit the input size: a quarter of the image up and down, half to one and a half times, a full turn. */
export function defaultInvarianceRange(transform: InvarianceTransform, height: number): { from: number; to: number; steps: number } {
  if (transform === 'translate') {
    const d = Math.max(1, Math.round(height / 4))
    return { from: -d, to: d, steps: 2 * Math.min(d, 6) + 1 }
  }
  if (transform === 'scale') return { from: 0.5, to: 1.5, steps: 11 }
  return { from: 0, to: 360, steps: 13 }
}
