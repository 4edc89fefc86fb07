import type { NodeContext, Value } from '../nodeContext'
import { activation, clip, leakyRelu, softmax } from './activations'
import { conv, convTranspose } from './conv'
import { add, gemm, matmul } from './dense'
import { batchNormalization } from './normalization'
import { constant, dropout, identity } from './passThrough'
import { globalAveragePool, pool } from './pooling'
import { concat, flatten, pad, reshape } from './shape'

/** Translates one node into layers (or folds it away), giving the value of its first output. */
export type OpTranslator = (node: NodeContext) => Value

/**
 * The ONNX operators Featurelens translates, one small translator each: a new operator is one
 * function and one line here. Constant, Identity and Dropout (in inference) add no computation.
 */
export const onnxOps: Readonly<Record<string, OpTranslator>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  BatchNormalization: batchNormalization,
  Relu: activation,
  Clip: clip,
  Sigmoid: activation,
  Tanh: activation,
  LeakyRelu: leakyRelu,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalAveragePool,
  Flatten: flatten,
  Reshape: reshape,
  Gemm: gemm,
  MatMul: matmul,
  Add: add,
  Concat: concat,
  Dropout: dropout,
  Softmax: softmax,
  Identity: identity,
  Constant: constant,
  Pad: pad
}

export const supportedOnnxOps: readonly string[] = Object.keys(onnxOps)
