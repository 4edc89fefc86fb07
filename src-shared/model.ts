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

const vggNames = ['vgg11', 'vgg16', 'vgg19'] as const
export type VggModelName = (typeof vggNames)[number]

/** Whether an architecture is a VGG (the one with a batchNorm option). */
export function isVggName(name: string): name is VggModelName {
  return (vggNames as readonly string[]).includes(name)
}
const otherBuiltinNames = ['minimal', 'lenet5', 'fcnn3', 'resnet18', 'resnet50'] as const

/** Side in pixels the images are resized to; absent means the dataset's own size. */
const inputSize = z.number().int().min(1).max(1024).optional()
/** Scales every hidden width (conv filters and hidden dense units), rounded, at least 1. */
const widthMultiplier = z.number().positive().max(8).default(1)
/** A field that belongs to another kind of model: absent (or its neutral value in stored configs). */
const notFor = (message: string) => z.never({ error: message }).optional()
const fixed = <T extends boolean | number>(value: T, message: string) => z.literal(value, { error: message }).default(value)

const importOnly = {
  importPath: notFor('importPath is only for name "import" (a TF.js model folder to fine-tune)'),
  fromRun: notFor('fromRun is only for name "import" (a run to start from)'),
  keepHead: z.literal(false, { error: 'keepHead applies when starting from a run (name "import" with fromRun)' }).optional(),
  freezeBase: fixed(false, 'freezeBase only applies to an imported (pretrained) model')
}

/** A built-in architecture other than VGG, with fresh weights from the run's seed. */
export const BuiltinModelSpec = z.object({
  name: z.enum(otherBuiltinNames),
  widthMultiplier,
  inputSize,
  batchNorm: fixed(false, 'batchNorm is a VGG option; the other architectures keep their own normalisation'),
  ...importOnly
})

/** VGG-11/16/19, optionally with batch normalisation. */
export const VggModelSpec = z.object({
  name: z.enum(vggNames),
  widthMultiplier,
  inputSize,
  /**
   * Batch normalisation after every conv's ReLU. A narrow VGG without it can sit at chance for
   * many epochs on a CPU-sized budget; the published VGGs have none.
   */
  batchNorm: z.boolean().default(false),
  ...importOnly
})

/** A pretrained model to fine-tune: a TF.js folder (importPath) or a stored run (fromRun), with a new head unless keepHead. */
export const ImportModelSpec = z
  .object({
    name: z.literal('import'),
    widthMultiplier: fixed(1, 'an imported model keeps its own widths; leave widthMultiplier at 1'),
    inputSize,
    batchNorm: fixed(false, 'batchNorm is a VGG option; an imported model keeps its own normalisation'),
    /** Folder holding model.json and its weight shards (or the model.json itself). */
    importPath: z.string().min(1).optional(),
    /** Start from this run's last epoch (e.g. an opened model) instead of a folder. */
    fromRun: z.string().min(1).optional(),
    /** Keep the pretrained layers fixed and train only the new head. */
    freezeBase: z.boolean().default(false),
    /** From a run: keep its own head and classes (the dataset must have as many) instead of a new one. */
    keepHead: z.boolean().optional()
  })
  // Which source is given is the one choice the fields' types cannot express.
  .check((ctx) => {
    const spec = ctx.value
    const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', path: [path], message, input: spec })
    if (spec.importPath === undefined && spec.fromRun === undefined) issue('importPath', 'an imported model needs importPath: the folder holding model.json (or fromRun: a run to start from)')
    if (spec.importPath !== undefined && spec.fromRun !== undefined) issue('fromRun', 'give importPath or fromRun, not both')
    if (spec.keepHead && spec.fromRun === undefined) issue('keepHead', 'keepHead applies when starting from a run (fromRun)')
    if (spec.keepHead && spec.freezeBase) issue('freezeBase', 'freezeBase trains only a new head; with keepHead nothing would train')
  })

/**
 * What to build, by `name`: a built-in architecture, a VGG, or an imported model. A field of
 * another kind is refused, naming it. The weights themselves are fixed by the run's seed, not
 * by the spec, so that a run pair can share one spec and one seed.
 */
export const ModelSpec = z.discriminatedUnion('name', [BuiltinModelSpec, VggModelSpec, ImportModelSpec])
export type ModelSpec = z.output<typeof ModelSpec>
export type ModelSpecInput = z.input<typeof ModelSpec>
export type ImportModelSpec = z.output<typeof ImportModelSpec>
/** A spec of a built-in architecture (VGG or another). */
export type ArchitectureModelSpec = Exclude<ModelSpec, ImportModelSpec>

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

/**
 * The model files Featurelens opens, as people know them: one format module each in the engine
 * (engine/models/formats/registry.ts is keyed by these), listed by the CLI's help, the Open model
 * form and the errors.
 */
export const modelFileKindNames = {
  tfjsLayers: 'TF.js folders (model.json with its .bin files)',
  onnx: '.onnx files (torch.onnx.export)',
  keras2: 'Keras 2 .h5 files',
  keras3: 'Keras 3 .keras archives (model.save)'
} as const
export type ModelFileKind = keyof typeof modelFileKindNames

/** "A, B, C and D": every kind of model file Featurelens opens. */
export function modelFileKinds(): string {
  const names: string[] = Object.values(modelFileKindNames)
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
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
