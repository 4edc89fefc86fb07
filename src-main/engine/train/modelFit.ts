import { ApiError } from '../../../src-shared/errors'
import type { ArchitectureTable } from '../../../src-shared/architecture'
import { catalogEntry, ModelSpec, type ImportModelSpec, type ModelInputShape } from '../../../src-shared/model'
import { architectureTable } from '../analysis/receptiveField/receptiveField'
import { declaredInputShape, readModelJson } from '../models/formats/tfjs/modelJson'
import { planModel, type BuiltinSpec } from '../models/architectures/registry'
import type { WorkspaceDb } from '../store/database'
import { lastCompleteEpoch } from '../store/epochStore'
import { modelTopology } from '../store/runStore'

/** What an imported model declares, read beforehand (readImportedInput) so validation stays synchronous. */
export interface ImportedInput {
  path: string
  shape: (number | null)[] | null
}

/**
 * Reads an `import` spec's model.json (checked, without blocking), or the topology of the run it
 * starts from, for validateModelFit.
 */
export async function readImportedInput(spec: { name: string; importPath?: string; fromRun?: string }, db?: WorkspaceDb): Promise<ImportedInput | undefined> {
  if (spec.name !== 'import') return undefined
  if (spec.fromRun !== undefined) {
    if (!db) throw new Error('starting from a run needs the workspace database')
    const topology = modelTopology(db, spec.fromRun)
    if (!topology || lastCompleteEpoch(db, spec.fromRun) === null) throw new ApiError('bad_input', `model.fromRun: run ${spec.fromRun} has no stored epoch to start from`)
    return { path: `run ${spec.fromRun}`, shape: declaredInputShape(topology) }
  }
  if (spec.importPath === undefined) return undefined
  const { path, json } = await readModelJson(spec.importPath)
  return { path, shape: declaredInputShape(json.modelTopology) }
}

/** Above this the weights alone pass 4 GB, before gradients and optimizer state. */
const MAX_PARAMS = 1_000_000_000

export interface ModelFit {
  spec: ModelSpec
  /** What the model takes; the dataset's images are resized to it when it differs. */
  input: ModelInputShape
}

const refuse = (field: string, message: string): never => {
  throw new ApiError('bad_input', `${field}: ${message}`)
}

/**
 * Why a table's geometry is unusable, or null: a window that does not fit (thrown while
 * tabulating), or a strided layer fed fewer pixels than its stride, where 'same' padding would
 * quietly produce maps made of padding.
 */
function geometryProblem(tabulate: () => ArchitectureTable): string | null {
  let table: ArchitectureTable
  try {
    table = tabulate()
  } catch (err) {
    if (err instanceof ApiError) return err.message
    throw err
  }
  const shapes = new Map(table.rows.map((r) => [r.name, r.outputShape]))
  for (const row of table.rows) {
    if (!row.stride) continue
    const input = shapes.get(row.inputs[0]) ?? []
    if (input[0] < row.stride[0] || input[1] < row.stride[1]) {
      return `layer "${row.name}" (${row.type}) strides by ${row.stride[0]} over a ${input[0]}×${input[1]} map`
    }
  }
  return null
}

function tabulateBuiltin(spec: BuiltinSpec, input: ModelInputShape, numClasses: number): ArchitectureTable {
  return architectureTable(planModel(spec, input, numClasses, 'softmax'))
}

/** Smallest square side the architecture accepts, found by trying sizes (tables are cheap). */
export function minimumInputSize(spec: BuiltinSpec, channels: number): number {
  for (let n = 1; n <= 1024; n++) {
    const input = { height: n, width: n, channels }
    if (geometryProblem(() => tabulateBuiltin(spec, input, 10)) === null) return n
  }
  return Infinity
}

function fitImport(spec: ImportModelSpec, dataset: ModelInputShape, imported: ImportedInput | undefined): ModelInputShape {
  if (!imported) throw new Error('an imported model needs readImportedInput before validateModelFit')
  const { path, shape } = imported
  if (!shape || shape.length !== 3) {
    refuse('model.importPath', `${path} does not declare an image input [height, width, channels]; Featurelens fine-tunes image models`)
  }
  const [h, w, c] = shape as (number | null)[]
  if (c !== null && c !== dataset.channels) {
    const kind = (n: number) => (n === 1 ? 'grayscale' : n === 3 ? 'RGB' : `${n}-channel`)
    refuse('model.importPath', `the model takes ${kind(c)} images but the dataset's are ${kind(dataset.channels)}; pick a dataset with ${c}-channel images or a model made for ${dataset.channels}`)
  }
  const size = spec.inputSize
  if (h !== null && w !== null) {
    if (size !== undefined && (size !== h || size !== w)) {
      refuse('model.inputSize', `the imported model is fixed at ${h}×${w} px; set inputSize to ${h} or leave it empty`)
    }
    return { height: h, width: w, channels: dataset.channels }
  }
  return { height: size ?? dataset.height, width: size ?? dataset.width, channels: dataset.channels }
}

/**
 * Refuses, before anything is built or trained, a model that cannot take the dataset: a bad
 * spec, too few classes, an input too small for the architecture's poolings, an imported model
 * made for other channels or another fixed size, or a size that makes the model absurdly large.
 * Every message names the field and the fix. Returns the parsed spec and the model's input shape.
 * An `import` spec needs what readImportedInput read from its model.json.
 */
export function validateModelFit(spec: unknown, dataset: ModelInputShape, numClasses: number, imported?: ImportedInput): ModelFit {
  const parsed = ModelSpec.safeParse(spec)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return refuse(`model${issue.path.map((p) => `.${String(p)}`).join('')}`, issue.message)
  }
  const model = parsed.data
  for (const key of ['height', 'width', 'channels'] as const) {
    if (!Number.isInteger(dataset[key]) || dataset[key] < 1) refuse(`dataset.${key}`, `must be a positive whole number, got ${dataset[key]}`)
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    refuse('numClasses', `the dataset has ${numClasses} class${numClasses === 1 ? '' : 'es'}; a classifier needs at least 2 (pick a label with two or more values)`)
  }
  if (model.name === 'import') return { spec: model, input: fitImport(model, dataset, imported) }

  const input = { height: model.inputSize ?? dataset.height, width: model.inputSize ?? dataset.width, channels: dataset.channels }
  const source = model.inputSize === undefined ? `the dataset's images are ${dataset.height}×${dataset.width} px` : `inputSize is ${model.inputSize}`
  const label = catalogEntry(model.name).label
  const problem = geometryProblem(() => tabulateBuiltin(model, input, numClasses))
  if (problem !== null) {
    const min = minimumInputSize(model, dataset.channels)
    refuse('model.inputSize', `${label} needs images of at least ${min}×${min} px but ${source} (${problem}). Set inputSize to ${min} or more; the images are then resized`)
  }
  const params = tabulateBuiltin(model, input, numClasses).totals.params
  if (params > MAX_PARAMS) {
    refuse('model.inputSize', `${label} at ${input.height}×${input.width} px would have ${(params / 1e6).toFixed(0)} M parameters; use a smaller inputSize or widthMultiplier`)
  }
  return { spec: model, input }
}
