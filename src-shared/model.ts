import { z } from 'zod'

/** The architectures Featurelens can build, plus `import` for a TF.js Layers model.json folder. */
export const modelNames = ['minimal', 'lenet5', 'fcnn3', 'vgg11', 'vgg16', 'vgg19', 'resnet18', 'resnet50', 'import'] as const
export const ModelName = z.enum(modelNames)
export type ModelName = z.infer<typeof ModelName>

export type BuiltinModelName = Exclude<ModelName, 'import'>

export const OutputActivation = z.enum(['softmax', 'sigmoid', 'linear'])
export type OutputActivation = z.infer<typeof OutputActivation>

/** Height × width × channels of one image as the model sees it (no batch axis). */
export const ModelInputShape = z.object({
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.number().int().positive()
})
export type ModelInputShape = z.infer<typeof ModelInputShape>

/**
 * What to build. The weights themselves are fixed by the run's seed, not by the spec, so that a
 * run pair can share one spec and one seed.
 */
export const ModelSpec = z
  .object({
    name: ModelName,
    /** Scales every hidden width (conv filters and hidden dense units), rounded, at least 1. */
    widthMultiplier: z.number().positive().max(8).default(1),
    /** Side in pixels the images are resized to; absent means the dataset's own size. */
    inputSize: z.number().int().min(1).max(1024).optional(),
    /**
     * VGG only: batch normalisation after every conv's ReLU. A narrow VGG without it can sit at
     * chance for many epochs on a CPU-sized budget; the published VGGs have none.
     */
    batchNorm: z.boolean().default(false),
    /** Folder holding model.json and its weight shards (or the model.json itself); only for `import`. */
    importPath: z.string().min(1).optional(),
    /** For `import`: keep the pretrained layers fixed and train only the new head. */
    freezeBase: z.boolean().default(false),
    /** For `import`: start from this run's last epoch (e.g. an opened model) instead of a folder. */
    fromRun: z.string().min(1).optional(),
    /** For `import` from a run: keep its own head and classes (the dataset must have as many) instead of a new one. */
    keepHead: z.boolean().optional()
  })
  .superRefine((spec, ctx) => {
    if (spec.name === 'import' && spec.importPath === undefined && spec.fromRun === undefined) {
      ctx.addIssue({ code: 'custom', path: ['importPath'], message: 'an imported model needs importPath: the folder holding model.json (or fromRun: a run to start from)' })
    }
    if (spec.importPath !== undefined && spec.fromRun !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['fromRun'], message: 'give importPath or fromRun, not both' })
    }
    if (spec.name !== 'import' && spec.fromRun !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['fromRun'], message: `fromRun is only for name "import", not "${spec.name}"` })
    }
    if (spec.keepHead && spec.fromRun === undefined) {
      ctx.addIssue({ code: 'custom', path: ['keepHead'], message: 'keepHead applies when starting from a run (fromRun)' })
    }
    if (spec.keepHead && spec.freezeBase) {
      ctx.addIssue({ code: 'custom', path: ['freezeBase'], message: 'freezeBase trains only a new head; with keepHead nothing would train' })
    }
    if (spec.name !== 'import' && spec.importPath !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['importPath'], message: `importPath is only for name "import", not "${spec.name}"` })
    }
    if (spec.name === 'import' && spec.widthMultiplier !== 1) {
      ctx.addIssue({ code: 'custom', path: ['widthMultiplier'], message: 'an imported model keeps its own widths; leave widthMultiplier at 1' })
    }
    if (spec.batchNorm && !spec.name.startsWith('vgg')) {
      ctx.addIssue({ code: 'custom', path: ['batchNorm'], message: `batchNorm is a VGG option; ${spec.name} keeps its own normalisation` })
    }
    if (spec.name !== 'import' && spec.freezeBase) {
      ctx.addIssue({ code: 'custom', path: ['freezeBase'], message: 'freezeBase only applies to an imported (pretrained) model' })
    }
  })
export type ModelSpec = z.output<typeof ModelSpec>
export type ModelSpecInput = z.input<typeof ModelSpec>

/** What the new-run form and `featurelens arch` show for each built-in architecture. */
export interface ModelCatalogEntry {
  name: BuiltinModelName
  label: string
  summary: string
  /** The input the architecture was designed for; `arch` uses it when no --input is given. */
  defaultInput: ModelInputShape
  /** Classes of the dataset it was designed for (10 for MNIST, 1000 for ImageNet). */
  defaultClasses: number
  /** Smallest square input side the architecture accepts (every pooling still has pixels to pool). */
  minInputSize: number
}

const mnist: ModelInputShape = { height: 28, width: 28, channels: 1 }
const imagenet: ModelInputShape = { height: 224, width: 224, channels: 3 }

export const modelCatalog: readonly ModelCatalogEntry[] = [
  { name: 'minimal', label: 'Minimal CNN', summary: 'conv 8@5×5, pool, conv 16@5×5, pool, dense (after Teow 2017)', defaultInput: mnist, defaultClasses: 10, minInputSize: 16 },
  { name: 'lenet5', label: 'LeNet-5', summary: 'LeCun et al. 1998, with ReLU; C1 pads MNIST to LeNet\'s 32 px geometry', defaultInput: mnist, defaultClasses: 10, minInputSize: 28 },
  { name: 'fcnn3', label: '3-layer FCNN', summary: 'three dense layers (128, 64, classes), a small fully connected MNIST example', defaultInput: mnist, defaultClasses: 10, minInputSize: 1 },
  { name: 'vgg11', label: 'VGG-11', summary: 'Simonyan & Zisserman 2014, configuration A', defaultInput: imagenet, defaultClasses: 1000, minInputSize: 32 },
  { name: 'vgg16', label: 'VGG-16', summary: 'Simonyan & Zisserman 2014, configuration D', defaultInput: imagenet, defaultClasses: 1000, minInputSize: 32 },
  { name: 'vgg19', label: 'VGG-19', summary: 'Simonyan & Zisserman 2014, configuration E', defaultInput: imagenet, defaultClasses: 1000, minInputSize: 32 },
  { name: 'resnet18', label: 'ResNet-18', summary: 'He et al. 2016, basic blocks [2, 2, 2, 2]', defaultInput: imagenet, defaultClasses: 1000, minInputSize: 17 },
  { name: 'resnet50', label: 'ResNet-50', summary: 'He et al. 2016, bottleneck blocks [3, 4, 6, 3], stride on the first 1×1', defaultInput: imagenet, defaultClasses: 1000, minInputSize: 17 }
]

export function catalogEntry(name: BuiltinModelName): ModelCatalogEntry {
  const entry = modelCatalog.find((e) => e.name === name)
  if (!entry) throw new Error(`no catalog entry for model "${name}"`)
  return entry
}

/**
 * How an image in 0..1 (as Featurelens decodes it) becomes what an opened model was trained on:
 * `unit` keeps 0..1, `symmetric` maps to -1..1, `raw` to 0..255, `torch` subtracts ImageNet's
 * mean and divides by its std (torchvision), `caffe` takes 0..255 BGR minus ImageNet's mean
 * (Keras' VGG/ResNet50). Wrong preprocessing is the usual reason a model "predicts garbage".
 */
export const PreprocessScale = z.enum(['unit', 'symmetric', 'raw', 'torch', 'caffe'])
export type PreprocessScale = z.infer<typeof PreprocessScale>

export const Preprocess = z
  .object({
    scale: PreprocessScale,
    /** The order the model expects its colour channels in (caffe style is always BGR). */
    channelOrder: z.enum(['rgb', 'bgr'])
  })
  .strict()
export type Preprocess = z.infer<typeof Preprocess>

export const OpenedModelFormat = z.enum(['tfjs', 'onnx', 'keras'])
export type OpenedModelFormat = z.infer<typeof OpenedModelFormat>

/** The model files Featurelens opens (one format module each in the engine), as people know them. */
export const modelFileKindList = [
  'TF.js folders (model.json with its .bin files)',
  '.onnx files (torch.onnx.export)',
  'Keras 2 .h5 files',
  'Keras 3 .keras archives (model.save)'
] as const

/** "A, B, C and D": what the CLI's help, the Open model form and the errors say Featurelens opens. */
export function modelFileKinds(): string {
  return `${modelFileKindList.slice(0, -1).join(', ')} and ${modelFileKindList[modelFileKindList.length - 1]}`
}

/** Where a model run came from: a model file opened as it is (epoch 0 holds its own weights). */
export const ModelSource = z
  .object({
    path: z.string().min(1),
    format: OpenedModelFormat,
    /** The model's own classes, in the order of its outputs. */
    classNames: z.array(z.string()),
    /** Where the class names came from, for people: "labels.txt", "metadata.json", "numbered". */
    classNamesFrom: z.string(),
    preprocess: Preprocess,
    input: ModelInputShape,
    /** Whether the model's output is already probabilities (a softmax/sigmoid at its end) or logits. */
    outputs: z.enum(['logits', 'probabilities']),
    /** Who made the file, e.g. "pytorch 1.13.0", when it says. */
    producer: z.string().optional()
  })
  .strict()
export type ModelSource = z.infer<typeof ModelSource>
