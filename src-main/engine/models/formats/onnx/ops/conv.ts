import type { LayerRef } from '../../../layersGraph'
import type { NodeContext, Value } from '../nodeContext'
import type { OnnxTensor } from '../onnxProto'
import { convKernel, depthwiseKernel, groupedKernel, transposeConvKernel } from '../onnxWeights'

/** The [a, b, kh, kw] weights of a 2-D convolution, refused by name when they are not that. */
function kernelDims(n: NodeContext, wt: OnnxTensor): [number, number, number, number] {
  const [a, b, kh, kw] = wt.dims
  if (wt.dims.length !== 4 || !wt.dims.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    n.fail(`has weights of shape [${wt.dims.join(', ')}]; Featurelens translates 2-D convolutions (weights [out, in, height, width], every side at least 1)`)
  }
  const declared = n.ints('kernel_shape', [kh, kw])
  if (declared.length !== 2 || declared[0] !== kh || declared[1] !== kw) n.fail(`declares kernel_shape [${declared.join(', ')}] but its weights are ${kh}×${kw}`)
  return [a, b, kh, kw]
}

/** Conv: plain, depthwise (groups = channels) or grouped (as one block-diagonal Conv2D). */
export function conv(n: NodeContext): Value {
  const x = n.image(0)
  const wt = n.constant(1, 'weights')
  const bias = n.optionalConstant(2, 'bias')
  const [m, cg, kh, kw] = kernelDims(n, wt)
  const channels = x.shape[2]
  const groups = n.int('group', 1)
  if (!Number.isSafeInteger(groups) || groups < 1 || m % groups !== 0) n.fail(`has group ${groups}, which does not divide its ${m} output channels`)
  if (cg * groups !== channels) n.fail(`has weights for ${cg * groups} input channels but gets ${channels}`)
  const w = n.window([kh, kw], x.shape)
  if ((w.dilations[0] > 1 || w.dilations[1] > 1) && (w.strides[0] > 1 || w.strides[1] > 1)) n.fail('combines dilation with a stride, which tfjs does not support')
  const p = n.padded(x, w, true, true)
  const [oh, ow] = n.outSize(w, x.shape[0], x.shape[1])
  const data = n.floats(wt)
  const biasData = bias ? n.floats(bias) : new Float32Array(m)
  if (biasData.length !== m) n.fail(`has ${biasData.length} biases for ${m} output channels`)
  const common = { kernel_size: w.kernel, strides: w.strides, padding: p.padding, data_format: 'channels_last', dilation_rate: w.dilations, activation: 'linear', use_bias: true }
  let ref: LayerRef
  if (groups === 1) {
    ref = n.layer('Conv2D', { ...common, filters: m }, [p.ref], { kernel: { shape: [kh, kw, cg, m], data: convKernel(data, wt.dims) }, bias: { shape: [m], data: biasData } })
  } else if (groups === channels && cg === 1) {
    ref = n.layer('DepthwiseConv2D', { ...common, depth_multiplier: m / channels }, [p.ref], {
      depthwise_kernel: { shape: [kh, kw, channels, m / channels], data: depthwiseKernel(data, wt.dims, channels) },
      bias: { shape: [m], data: biasData }
    })
  } else {
    ref = n.layer('Conv2D', { ...common, filters: m }, [p.ref], { kernel: { shape: [kh, kw, channels, m], data: groupedKernel(data, wt.dims, groups) }, bias: { shape: [m], data: biasData } })
  }
  return { kind: 'act', ref, shape: [oh, ow, m], nonNegative: false, biasOwner: ref }
}

/** ConvTranspose without pads, output padding or dilation (as tfjs's Conv2DTranspose with 'valid'). */
export function convTranspose(n: NodeContext): Value {
  const x = n.image(0)
  const wt = n.constant(1, 'weights')
  const bias = n.optionalConstant(2, 'bias')
  const [c, m, kh, kw] = kernelDims(n, wt)
  if (n.int('group', 1) !== 1) n.fail('is a grouped transposed convolution, which tfjs does not have')
  if (c !== x.shape[2]) n.fail(`has weights for ${c} input channels but gets ${x.shape[2]}`)
  const w = n.window([kh, kw], x.shape)
  const outPad = n.ints('output_padding', [0, 0])
  if (w.pads.some((p) => p !== 0) || outPad.some((p) => p !== 0) || w.dilations.some((d) => d !== 1) || n.has('output_shape')) {
    n.fail('uses pads, output padding, an output shape or dilation; Featurelens translates transposed convolutions without them')
  }
  const [h, wd] = x.shape
  const biasData = bias ? n.floats(bias) : new Float32Array(m)
  if (biasData.length !== m) n.fail(`has ${biasData.length} biases for ${m} output channels`)
  const ref = n.layer('Conv2DTranspose', { filters: m, kernel_size: w.kernel, strides: w.strides, padding: 'valid', data_format: 'channels_last', activation: 'linear', use_bias: true }, [x.ref], {
    kernel: { shape: [kh, kw, m, c], data: transposeConvKernel(n.floats(wt), wt.dims) },
    bias: { shape: [m], data: biasData }
  })
  return { kind: 'act', ref, shape: [(h - 1) * w.strides[0] + kh, (wd - 1) * w.strides[1] + kw, m], nonNegative: false, biasOwner: ref }
}
