/**
 * Protobuf bytes written by hand, for hostile .onnx files too large or too malformed to build
 * with an encoder: field tags, varints and length-delimited fields of onnx.proto.
 */

export function varint(value: number): Buffer {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Buffer.from(out)
}

/** A varint field (wire type 0). */
export const varintField = (field: number, value: number): Buffer => Buffer.concat([varint(field * 8), varint(value)])

/** A length-delimited field (wire type 2): a string, bytes, a nested message or a packed list. */
export const bytesField = (field: number, payload: Buffer | string): Buffer => {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  return Buffer.concat([varint(field * 8 + 2), varint(body.length), body])
}

/** ModelProto { opset 13, graph { one Relu node x → y, the given initializer tensor } }. */
export function modelWithInitializer(tensor: Buffer): Buffer {
  const node = Buffer.concat([bytesField(1, 'x'), bytesField(2, 'y'), bytesField(3, 'relu'), bytesField(4, 'Relu')])
  const graph = Buffer.concat([bytesField(1, node), bytesField(5, tensor)])
  const opset = Buffer.concat([bytesField(1, ''), varintField(2, 13)])
  return Buffer.concat([varintField(1, 8), bytesField(8, opset), bytesField(7, graph)])
}
