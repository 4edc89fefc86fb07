import type { NodeContext, Value } from '../nodeContext'

/** BatchNormalization in inference: scale, bias, running mean and variance per channel. */
export function batchNormalization(n: NodeContext): Value {
  const x = n.act(0)
  const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => n.floats(n.constant(i, 'statistics')))
  const channels = x.shape[x.shape.length - 1]
  for (const [name, values] of [['scales', scale], ['biases', b], ['means', mean], ['variances', variance]] as const) {
    if (values.length !== channels) n.fail(`has ${values.length} ${name} for ${channels} channels`)
  }
  const ref = n.layer('BatchNormalization', { axis: -1, epsilon: n.float('epsilon', 1e-5), momentum: n.float('momentum', 0.9), center: true, scale: true }, [x.ref], {
    gamma: { shape: [channels], data: scale },
    beta: { shape: [channels], data: b },
    moving_mean: { shape: [channels], data: mean },
    moving_variance: { shape: [channels], data: variance }
  })
  return { ...x, ref, nonNegative: false, biasOwner: undefined }
}
