import { ApiError } from '../../../../src-shared/errors'
import type {
  ArchitectureRow,
  ArchitectureTable,
  AxisField,
  FieldKind,
  LayerKind,
  LayerPadding,
  ReceptiveField
} from '../../../../src-shared/architecture'
import type { ModelPlan, PlanNode, Pair } from '../../models/layerPlan'
import { layerCost } from './architectureCost'
import { inputField, shiftField, unionField, windowField, windowGeometry, type WindowAxis } from './receptiveFieldGeometry'

export interface TableOptions {
  /** Input height and width, for models that accept any size or to ask "what if" for a plan. */
  input?: { height: number; width: number }
}

interface NodeState {
  shape: number[]
  fieldKind: FieldKind
  field: ReceptiveField | null
  depth: number
}

interface RowGeometry {
  shape: number[]
  fieldKind: FieldKind
  field: ReceptiveField | null
  kernel: Pair | null
  stride: Pair | null
  dilation: Pair | null
  padding: LayerPadding | null
  note: string | null
}

const kindOf: Record<PlanNode['op'], LayerKind> = {
  input: 'input',
  conv: 'conv',
  pool: 'pool',
  globalPool: 'globalPool',
  zeroPad: 'padding',
  crop: 'crop',
  batchNorm: 'normalization',
  activation: 'activation',
  dropout: 'dropout',
  flatten: 'flatten',
  dense: 'dense',
  merge: 'merge',
  other: 'other'
}

function fail(node: PlanNode, problem: string): never {
  throw new ApiError('bad_input', `layer "${node.name}" (${node.className}): ${problem}`)
}

function spatialInput(node: PlanNode, shape: number[]): [number, number, number] {
  if (shape.length !== 3) fail(node, `expects an image-shaped input [height, width, channels], got [${shape.join(', ')}]`)
  return shape as [number, number, number]
}

function perAxis(field: ReceptiveField | null, f: (axis: AxisField, i: 0 | 1) => AxisField): ReceptiveField | null {
  return field ? { height: f(field.height, 0), width: f(field.width, 1) } : null
}

function windowRow(node: PlanNode & { op: 'conv' | 'pool' }, input: NodeState): RowGeometry {
  const [h, w, c] = spatialInput(node, input.shape)
  const kernel = node.op === 'conv' ? node.kernel : node.pool
  const dilation: Pair = node.op === 'conv' ? node.dilation : [1, 1]
  const axes: WindowAxis[] = [0, 1].map((i) => ({ kernel: kernel[i], stride: node.strides[i], dilation: dilation[i], padding: node.padding }))
  const [gh, gw] = [windowGeometry(h, axes[0]), windowGeometry(w, axes[1])]
  for (const [g, n, axis] of [[gh, h, 'height'], [gw, w, 'width']] as const) {
    if (g.size < 1) {
      const span = axes[axis === 'height' ? 0 : 1]
      fail(node, `its ${span.dilation * (span.kernel - 1) + 1}-pixel window does not fit the ${n}-pixel ${axis} of its input; the model needs a larger input`)
    }
  }
  let channels = c
  if (node.op === 'conv') channels = node.variant === 'depthwise' ? c * node.filters : node.filters
  return {
    shape: [gh.size, gw.size, channels],
    fieldKind: input.fieldKind,
    field: perAxis(input.field, (f, i) => windowField(f, axes[i], i === 0 ? gh.before : gw.before)),
    kernel,
    stride: node.strides,
    dilation,
    padding: { mode: node.padding, top: gh.before, bottom: gh.after, left: gw.before, right: gw.after },
    note: null
  }
}

function plainRow(shape: number[], input: NodeState | undefined, fieldKind?: FieldKind): RowGeometry {
  const kind = fieldKind ?? input?.fieldKind ?? 'spatial'
  return { shape, fieldKind: kind, field: kind === 'spatial' ? (input?.field ?? null) : null, kernel: null, stride: null, dilation: null, padding: null, note: null }
}

function inputRow(node: PlanNode & { op: 'input' }, options: TableOptions): RowGeometry {
  const shape = [...node.shape]
  if (options.input && shape.length === 3) {
    shape[0] = options.input.height
    shape[1] = options.input.width
  }
  if (shape.some((d) => d === null || d === undefined || d < 1)) {
    fail(node, `the model accepts inputs of shape [${node.shape.map((d) => d ?? 'any').join(', ')}]; give an input size (e.g. --input 224) to tabulate it`)
  }
  const spatial = shape.length === 3
  return {
    ...plainRow(shape as number[], undefined, spatial ? 'spatial' : 'global'),
    field: spatial ? { height: inputField, width: inputField } : null
  }
}

function mergeRow(node: PlanNode & { op: 'merge' }, inputs: NodeState[]): RowGeometry {
  const shapes = inputs.map((s) => s.shape)
  let shape = shapes[0]
  if (node.mode === 'concat') {
    const rest = shapes.map((s) => s.slice(0, -1).join('×'))
    if (rest.some((r) => r !== rest[0])) fail(node, `cannot concatenate inputs of shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')}`)
    shape = [...shapes[0].slice(0, -1), shapes.reduce((sum, s) => sum + s[s.length - 1], 0)]
  } else if (shapes.some((s) => s.join('×') !== shape.join('×'))) {
    fail(node, `its inputs have different shapes: ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')}`)
  }
  const kinds = inputs.map((s) => s.fieldKind)
  if (kinds.includes('unknown')) return { ...plainRow(shape, undefined, 'unknown'), note: 'receptive field unknown: an input path has a layer whose geometry is not modelled' }
  if (kinds.includes('global')) return plainRow(shape, undefined, 'global')
  const fields = inputs.map((s) => s.field as ReceptiveField)
  const h = unionField(fields.map((f) => f.height))
  const w = unionField(fields.map((f) => f.width))
  const note = h.jumpsAgree && w.jumpsAgree ? null : 'the merged paths have different jumps; the larger is shown'
  return { ...plainRow(shape, undefined, 'spatial'), field: { height: h.field, width: w.field }, note }
}

function rowGeometry(node: PlanNode, inputs: NodeState[], options: TableOptions): RowGeometry {
  const input = inputs[0]
  switch (node.op) {
    case 'input':
      return inputRow(node, options)
    case 'conv':
    case 'pool':
      return windowRow(node, input)
    case 'globalPool': {
      const [, , c] = spatialInput(node, input.shape)
      return plainRow([c], input, input.fieldKind === 'unknown' ? 'unknown' : 'global')
    }
    case 'zeroPad':
    case 'crop': {
      const [h, w, c] = spatialInput(node, input.shape)
      const sign = node.op === 'zeroPad' ? 1 : -1
      const [[top, bottom], [left, right]] = node.op === 'zeroPad' ? node.pad : node.crop
      const shape = [h + sign * (top + bottom), w + sign * (left + right), c]
      if (shape[0] < 1 || shape[1] < 1) fail(node, `crops away the whole ${h}×${w} input`)
      return {
        ...plainRow(shape, input),
        field: perAxis(input.field, (f, i) => shiftField(f, sign * (i === 0 ? top : left))),
        padding: { mode: 'explicit', top: sign * top, bottom: sign * bottom, left: sign * left, right: sign * right }
      }
    }
    case 'batchNorm':
    case 'activation':
    case 'dropout':
      return plainRow(input.shape, input)
    case 'flatten': {
      const size = input.shape.reduce((a, b) => a * b, 1)
      return plainRow([size], input, input.fieldKind === 'unknown' ? 'unknown' : 'global')
    }
    case 'dense': {
      const shape = [...input.shape.slice(0, -1), node.units]
      // On a feature map Dense acts per position (a 1×1 conv), so the field carries through.
      const vector = input.shape.length === 1
      return plainRow(shape, input, vector && input.fieldKind !== 'unknown' ? 'global' : input.fieldKind)
    }
    case 'merge':
      return mergeRow(node, inputs)
    case 'other': {
      if (node.outputShape.some((d) => d === null)) {
        fail(node, 'its output shape depends on the input size, and its geometry is not modelled; tabulate the model at the size it was built for')
      }
      const kind: FieldKind = input?.fieldKind === 'global' ? 'global' : 'unknown'
      const note = kind === 'unknown' ? `receptive field not modelled for ${node.className}; later rows cannot say it either` : null
      return { ...plainRow(node.outputShape as number[], input, kind), note }
    }
  }
}

/**
 * The architecture table: one row per layer with its geometry, output shape, parameters,
 * multiply-accumulates and receptive field. Works on the layer graph (not a flat list), so
 * residual and branching networks get the union of their paths' fields.
 */
export function architectureTable(plan: ModelPlan, options: TableOptions = {}): ArchitectureTable {
  const states = new Map<string, NodeState>()
  const rows: ArchitectureRow[] = []
  for (const node of plan.nodes) {
    const inputs = node.inputs.map((name) => {
      const state = states.get(name)
      if (!state) throw new ApiError('bad_input', `layer "${node.name}" reads "${name}", which is not an earlier layer of ${plan.name}`)
      return state
    })
    if (node.op !== 'input' && inputs.length === 0) fail(node, 'has no inputs')
    const g = rowGeometry(node, inputs, options)
    const cost = layerCost(node, inputs.map((s) => s.shape), g.shape)
    const windowed = node.op === 'conv' || node.op === 'pool'
    const depth = Math.max(0, ...inputs.map((s) => s.depth)) + (windowed ? 1 : 0)
    const field = g.fieldKind === 'spatial' ? g.field : null
    states.set(node.name, { shape: g.shape, fieldKind: g.fieldKind, field, depth })
    rows.push({
      index: rows.length,
      name: node.name,
      type: node.className,
      kind: kindOf[node.op],
      inputs: [...node.inputs],
      kernel: g.kernel,
      stride: g.stride,
      dilation: g.dilation,
      padding: g.padding,
      outputShape: g.shape,
      params: cost.params,
      trainableParams: cost.trainableParams,
      flops: cost.flops,
      fieldKind: g.fieldKind,
      receptiveField: field,
      depth,
      note: g.note
    })
  }
  const first = rows.find((r) => r.kind === 'input')
  const inShape = first?.outputShape ?? []
  const input = inShape.length === 3
    ? { height: inShape[0], width: inShape[1], channels: inShape[2] }
    : { height: 1, width: 1, channels: inShape[0] ?? 1 }
  return {
    model: plan.name,
    input,
    rows,
    totals: {
      params: rows.reduce((s, r) => s + r.params, 0),
      trainableParams: rows.reduce((s, r) => s + r.trainableParams, 0),
      flops: rows.reduce((s, r) => s + r.flops, 0)
    }
  }
}
