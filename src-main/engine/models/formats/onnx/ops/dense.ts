import type { Act, NodeContext, Value } from '../nodeContext'
import type { OnnxTensor } from '../onnxProto'
import { transpose2d } from '../onnxWeights'

function denseLayer(n: NodeContext, x: Act, kernel: Float32Array, k: number, m: number, bias: Float32Array): Value {
  if (x.shape.length !== 1) n.fail(`multiplies a [N, ${x.shape.join(', ')}] input; Featurelens translates matrix products of flattened features`)
  if (x.shape[0] !== k) n.fail(`has weights for ${k} inputs but gets ${x.shape[0]}`)
  const ref = n.layer('Dense', { units: m, activation: 'linear', use_bias: true }, [x.ref], { kernel: { shape: [k, m], data: kernel }, bias: { shape: [m], data: bias } })
  return { kind: 'act', ref, shape: [m], nonNegative: false, biasOwner: ref }
}

/** Gemm: alpha·x·B(ᵀ) + beta·C, as a Dense layer. */
export function gemm(n: NodeContext): Value {
  const x = n.act(0)
  const b = n.constant(1, 'weights')
  const c = n.optionalConstant(2, 'bias')
  if (n.int('transA', 0) !== 0) n.fail('transposes its input (transA), which Featurelens does not translate')
  if (b.dims.length !== 2) n.fail(`multiplies by a tensor of shape [${b.dims.join(', ')}]; Featurelens translates products with a matrix`)
  const alpha = n.float('alpha', 1)
  const beta = n.float('beta', 1)
  const transB = n.int('transB', 0) === 1
  const [rows, cols] = b.dims
  const [k, m] = transB ? [cols, rows] : [rows, cols]
  let kernel = transB ? transpose2d(n.floats(b), rows, cols) : Float32Array.from(n.floats(b))
  if (alpha !== 1) kernel = kernel.map((v) => v * alpha)
  const bias = new Float32Array(m)
  if (c) {
    const cv = n.floats(c)
    if (cv.length !== m && cv.length !== 1) n.fail(`has a bias of ${cv.length} values for ${m} outputs`)
    for (let i = 0; i < m; i++) bias[i] = beta * cv[cv.length === 1 ? 0 : i]
  }
  return denseLayer(n, x, kernel, k, m, bias)
}

/** MatMul by a stored matrix, as a Dense layer without bias (an Add after it becomes its bias). */
export function matmul(n: NodeContext): Value {
  const x = n.act(0)
  const b = n.constant(1, 'weights')
  if (b.dims.length !== 2) n.fail(`multiplies by a tensor of shape [${b.dims.join(', ')}]; Featurelens translates products with a matrix`)
  return denseLayer(n, x, Float32Array.from(n.floats(b)), b.dims[0], b.dims[1], new Float32Array(b.dims[1]))
}

/** Add of two equal activations (residual connections), or of a constant that is the bias of the Dense or Conv before it. */
export function add(n: NodeContext): Value {
  const [a, b] = [n.value(0), n.value(1)]
  if (a.kind === 'act' && b.kind === 'act') {
    const [x, y] = a.shape.length === b.shape.length ? [a, b] : [n.image(0), n.image(1)]
    if (x.shape.join() !== y.shape.join()) n.fail(`adds tensors of shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]; Featurelens translates Add of equal shapes`)
    const ref = n.layer('Add', {}, [x.ref, y.ref])
    return { kind: 'act', ref, shape: x.shape, nonNegative: x.nonNegative && y.nonNegative, squeezed: x.squeezed && y.squeezed }
  }
  let x: Act, c: OnnxTensor, xIndex: number
  if (a.kind === 'act' && b.kind === 'const') [x, c, xIndex] = [a, b.tensor, 0]
  else if (b.kind === 'act' && a.kind === 'const') [x, c, xIndex] = [b, a.tensor, 1]
  else return n.fail('adds two constants')
  // A per-channel constant after a Dense or Conv used nowhere else is that layer's bias.
  const channels = x.shape[x.shape.length - 1]
  const values = n.floats(c)
  const owner = x.biasOwner
  const bias = owner ? n.state.graph.weight(owner, 'bias') : undefined
  const perChannel = values.length === channels && c.dims.filter((d) => d !== 1).length <= 1
  if (!owner || !bias || !perChannel || n.usesOf(n.node.inputs[xIndex]) !== 1) {
    n.fail('adds a constant that is not the bias of the Dense or Conv before it; Featurelens translates that form only')
  }
  bias.data = bias.data.map((v, i) => v + values[i])
  return { ...x }
}
