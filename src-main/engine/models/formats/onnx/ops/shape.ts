import type { Act, NodeContext, Value } from '../nodeContext'

/** ONNX flattens C, H, W in that order; tfjs would flatten H, W, C, so channels move first. */
export function flattenAct(n: NodeContext, x: Act): Value {
  if (x.shape.length === 1) return { ...x, squeezed: undefined }
  const [h, w, c] = x.shape
  let source = x.ref
  if (h * w > 1 && c > 1) source = n.layer('Permute', { dims: [3, 1, 2] }, [x.ref], undefined, '_chw')
  const ref = n.layer('Flatten', { data_format: 'channels_last' }, [source])
  return { kind: 'act', ref, shape: [h * w * c], nonNegative: x.nonNegative }
}

/** Flatten(axis=1): [N, features]. */
export function flatten(n: NodeContext): Value {
  const axis = n.int('axis', 1)
  if (axis !== 1) n.fail(`flattens from axis ${axis}; Featurelens translates Flatten(axis=1)`)
  return flattenAct(n, n.act(0))
}

/** Reshape to [N, features] (a flatten) or [N, C, 1, 1] (features back to a 1×1 map). */
export function reshape(n: NodeContext): Value {
  const x = n.act(0)
  const target = n.constant(1, 'target shape').data
  const logical = x.squeezed ? [x.shape[0], 1, 1] : x.shape.length === 3 ? [x.shape[2], x.shape[0], x.shape[1]] : x.shape
  const total = logical.reduce((a, d) => a * d, 1)
  const dims = Array.from(target, (d, i) => (d === 0 ? (i === 0 ? -2 : logical[i - 1]) : d))
  // The batch axis: 0 (copy) or -1 with every other dimension fixed.
  if (dims.length === 2 && (dims[0] === -2 || dims[0] === -1) && (dims[1] === -1 || dims[1] === total)) return flattenAct(n, x)
  if (dims.length === 2 && dims[1] === -1 && dims[0] !== -2) n.fail(`reshapes to [${Array.from(target).join(', ')}], which mixes the batch axis; Featurelens translates reshapes to [N, features]`)
  if (dims.length === 4 && x.shape.length === 1 && dims[2] === 1 && dims[3] === 1 && (dims[1] === total || dims[1] === -1)) {
    const ref = n.layer('Reshape', { target_shape: [1, 1, total] }, [x.ref])
    return { kind: 'act', ref, shape: [1, 1, total], nonNegative: x.nonNegative }
  }
  return n.fail(`reshapes to [${Array.from(target).join(', ')}]; Featurelens translates reshapes to [N, features] and [N, C, 1, 1]`)
}

/** Concat of channels (axis 1) of maps of one size, or of flat features. */
export function concat(n: NodeContext): Value {
  const parts = n.node.inputs.map((_, i) => n.act(i))
  const rank = parts[0].shape.length
  const axis = n.int('axis', 1)
  if (!((axis === 1 || axis === -3) && rank === 3) && !((axis === 1 || axis === -1) && rank === 1)) n.fail(`concatenates along axis ${axis}; Featurelens translates concatenation of channels (axis 1)`)
  for (const p of parts) if (p.shape.slice(0, -1).join() !== parts[0].shape.slice(0, -1).join()) n.fail('concatenates maps of different sizes')
  const ref = n.layer('Concatenate', { axis: -1 }, parts.map((p) => p.ref))
  const shape = [...parts[0].shape.slice(0, -1), parts.reduce((a, p) => a + p.shape[p.shape.length - 1], 0)]
  return { kind: 'act', ref, shape, nonNegative: parts.every((p) => p.nonNegative) }
}

/** Zero padding of height and width (pads an input from opset 11, an attribute before). */
export function pad(n: NodeContext): Value {
  const x = n.image(0)
  const mode = n.text('mode', 'constant')
  const pads = n.opset >= 11 ? Array.from(n.constant(1, 'pads').data) : n.ints('pads', [])
  const fill = n.opset >= 11 && n.node.inputs[2] ? n.floats(n.constant(2, 'fill value'))[0] : n.float('value', 0)
  if (mode !== 'constant' || fill !== 0) n.fail(`pads in "${mode}" mode with ${fill}; Featurelens translates zero padding`)
  const [nb, cb, hb, wb, ne, ce, he, we] = pads
  if (pads.length !== 8 || nb || cb || ne || ce || [hb, wb, he, we].some((p) => !Number.isSafeInteger(p) || p < 0)) n.fail(`pads [${pads.join(', ')}]; Featurelens translates zero padding of height and width`)
  const ref = n.layer('ZeroPadding2D', { padding: [[hb, he], [wb, we]], data_format: 'channels_last' }, [x.ref])
  return { kind: 'act', ref, shape: [x.shape[0] + hb + he, x.shape[1] + wb + we, x.shape[2]], nonNegative: x.nonNegative }
}
