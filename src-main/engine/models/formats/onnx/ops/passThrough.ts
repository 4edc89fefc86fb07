import type { NodeContext, Value } from '../nodeContext'

/** A tensor constant, folded into the values (no layer). */
export function constant(n: NodeContext): Value {
  const t = n.tensorAttr('value')
  if (!t) n.fail('has no tensor "value"; only tensor constants are supported')
  return { kind: 'const', tensor: t }
}

/** The input itself (no layer). */
export function identity(n: NodeContext): Value {
  return n.value(0)
}

/** Dropout as tfjs has it: identity when predicting. Its mask output has no equivalent. */
export function dropout(n: NodeContext): Value {
  const mask = n.node.outputs[1]
  if (mask && n.usesOf(mask) > 0) n.fail('uses its mask output, which has no tfjs equivalent')
  const ratio = n.node.inputs[1] ? n.floats(n.constant(1, 'ratio'))[0] : n.float('ratio', 0.5)
  const x = n.act(0)
  return { ...x, ref: n.layer('Dropout', { rate: ratio }, [x.ref]), biasOwner: undefined }
}
