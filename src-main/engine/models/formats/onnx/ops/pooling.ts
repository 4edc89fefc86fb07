import type { NodeContext, Value } from '../nodeContext'

/** MaxPool and AveragePool over a 2-D window, without dilation or rounding up. */
export function pool(n: NodeContext): Value {
  const x = n.image(0)
  const w = n.window(n.ints('kernel_shape', []), x.shape)
  if (w.dilations.some((d) => d !== 1)) n.fail('uses a dilated window, which tfjs pooling does not have')
  const ceil = n.int('ceil_mode', 0) === 1
  const [oh, ow] = n.outSize(w, x.shape[0], x.shape[1], ceil)
  const [fh, fw] = n.outSize(w, x.shape[0], x.shape[1], false)
  if (oh !== fh || ow !== fw) n.fail('rounds its output size up (ceil_mode), which tfjs pooling does not do')
  const isMax = n.node.opType === 'MaxPool'
  // tfjs's 'same' ignores the pads (as ONNX's max and an average without count_include_pad
  // do); zeros are exact where the max never falls below 0, or where the average counts pads.
  const countsPads = n.int('count_include_pad', 0) === 1
  const p = isMax ? n.padded(x, w, x.nonNegative, true) : n.padded(x, w, countsPads, !countsPads)
  const ref = n.layer(isMax ? 'MaxPooling2D' : 'AveragePooling2D', { pool_size: w.kernel, strides: w.strides, padding: p.padding, data_format: 'channels_last' }, [p.ref])
  return { kind: 'act', ref, shape: [oh, ow, x.shape[2]], nonNegative: x.nonNegative }
}

/** GlobalAveragePool: [C], remembered as squeezed ([C, 1, 1] to ONNX). */
export function globalAveragePool(n: NodeContext): Value {
  const x = n.image(0)
  const ref = n.layer('GlobalAveragePooling2D', { data_format: 'channels_last' }, [x.ref])
  return { kind: 'act', ref, shape: [x.shape[2]], nonNegative: x.nonNegative, squeezed: true }
}
