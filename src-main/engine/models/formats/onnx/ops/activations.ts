import type { NodeContext, Value } from '../nodeContext'

/** Relu, Sigmoid and Tanh as an Activation layer. */
export function activation(n: NodeContext): Value {
  const x = n.act(0)
  const name = n.node.opType.toLowerCase()
  return { ...x, ref: n.layer('Activation', { activation: name }, [x.ref]), nonNegative: n.node.opType !== 'Tanh', biasOwner: undefined }
}

export function leakyRelu(n: NodeContext): Value {
  const x = n.act(0)
  return { ...x, ref: n.layer('LeakyReLU', { alpha: n.float('alpha', 0.01) }, [x.ref]), nonNegative: false, biasOwner: undefined }
}

/** Clip from 0 (ReLU, ReLU6): bounds are inputs from opset 11, attributes before. */
export function clip(n: NodeContext): Value {
  const x = n.act(0)
  const bound = (index: number, attr: string, fallback: number) => {
    if (n.opset >= 11) return n.node.inputs[index] ? n.floats(n.constant(index, attr))[0] : fallback
    return n.float(attr, fallback)
  }
  const lo = bound(1, 'min', -Infinity)
  const hi = bound(2, 'max', Infinity)
  if (lo !== 0) n.fail(`clips to [${lo}, ${hi}]; Featurelens translates Clip with a lower bound of 0 (ReLU, ReLU6)`)
  const ref = Number.isFinite(hi) ? n.layer('ReLU', { max_value: hi }, [x.ref]) : n.layer('Activation', { activation: 'relu' }, [x.ref])
  return { ...x, ref, nonNegative: true, biasOwner: undefined }
}

/** Softmax over the channels (axis 1, or -1 of flat features). */
export function softmax(n: NodeContext): Value {
  const x = n.act(0)
  const axis = n.int('axis', n.opset >= 13 ? -1 : 1)
  if (axis !== 1 && !(axis === -1 && x.shape.length === 1)) n.fail(`takes the softmax over axis ${axis}; Featurelens translates it over the channels (axis 1)`)
  return { ...x, ref: n.layer('Softmax', { axis: -1 }, [x.ref]), nonNegative: true, biasOwner: undefined }
}
