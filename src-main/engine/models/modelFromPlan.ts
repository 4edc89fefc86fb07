import * as tf from '@tensorflow/tfjs'
import type { ModelPlan, PlanNode } from './layerPlan'

type Initializer = ReturnType<typeof tf.initializers.heNormal>
type ActivationName = NonNullable<Parameters<typeof tf.layers.dense>[0]['activation']>

/**
 * A per-layer seed from the run seed and the layer name. Each layer needs its own stream:
 * with one shared seed, VGG's same-shaped convolutions would start as exact copies.
 * Keyed by name rather than position so adding a layer elsewhere leaves the others unchanged.
 */
export function layerSeed(seed: number, layerName: string): number {
  let hash = 0x811c9dc5 // FNV-1a, 32 bit
  for (const ch of `${seed}/${layerName}`) {
    hash ^= ch.codePointAt(0) ?? 0
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/**
 * He-normal suits the ReLU stacks inside every family (VGG-19 without batch norm barely moves
 * from Glorot init); the classifier keeps Glorot-uniform, as Keras does.
 */
function kernelInit(seed: number, name: string, isOutput: boolean, salt = ''): Initializer {
  const s = layerSeed(seed, name + salt)
  return isOutput ? tf.initializers.glorotUniform({ seed: s }) : tf.initializers.heNormal({ seed: s })
}

function layerFor(node: PlanNode, seed: number, isOutput: boolean): tf.layers.Layer {
  const name = node.name
  const trainable = node.trainable ?? true
  switch (node.op) {
    case 'conv': {
      const common = {
        name,
        trainable,
        kernelSize: node.kernel,
        strides: node.strides,
        dilationRate: node.dilation,
        padding: node.padding,
        activation: node.activation as ActivationName,
        useBias: node.useBias,
        biasInitializer: 'zeros' as const
      }
      if (node.variant === 'depthwise') {
        return tf.layers.depthwiseConv2d({ ...common, depthMultiplier: node.filters, depthwiseInitializer: kernelInit(seed, name, isOutput) })
      }
      if (node.variant === 'separable') {
        return tf.layers.separableConv2d({
          ...common,
          filters: node.filters,
          depthMultiplier: node.depthMultiplier ?? 1,
          depthwiseInitializer: kernelInit(seed, name, isOutput, '/depthwise'),
          pointwiseInitializer: kernelInit(seed, name, isOutput, '/pointwise')
        })
      }
      return tf.layers.conv2d({ ...common, filters: node.filters, kernelInitializer: kernelInit(seed, name, isOutput) })
    }
    case 'pool': {
      const args = { name, poolSize: node.pool, strides: node.strides, padding: node.padding }
      return node.mode === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)
    }
    case 'globalPool':
      return node.mode === 'max' ? tf.layers.globalMaxPooling2d({ name }) : tf.layers.globalAveragePooling2d({ name })
    case 'zeroPad':
      return tf.layers.zeroPadding2d({ name, padding: node.pad })
    case 'crop':
      return tf.layers.cropping2D({ name, cropping: node.crop })
    case 'batchNorm':
      // Momentum 0.9 (PyTorch's 0.1): with Keras' 0.99 the moving statistics lag far behind on the
      // few hundred steps a CPU run takes, and evaluation in inference mode sits near chance.
      return tf.layers.batchNormalization({ name, trainable, center: node.center, scale: node.scale, momentum: 0.9 })
    case 'activation':
      return tf.layers.activation({ name, activation: node.activation as ActivationName })
    case 'dropout':
      return tf.layers.dropout({ name, rate: node.rate, seed: layerSeed(seed, name) })
    case 'flatten':
      return tf.layers.flatten({ name })
    case 'dense':
      return tf.layers.dense({
        name,
        trainable,
        units: node.units,
        activation: node.activation as ActivationName,
        useBias: node.useBias,
        kernelInitializer: kernelInit(seed, name, isOutput),
        biasInitializer: 'zeros'
      })
    case 'merge': {
      const args = { name }
      const merges = {
        add: tf.layers.add,
        concat: tf.layers.concatenate,
        multiply: tf.layers.multiply,
        average: tf.layers.average,
        maximum: tf.layers.maximum,
        minimum: tf.layers.minimum
      }
      return merges[node.mode](args)
    }
    case 'input':
    case 'other':
      throw new Error(`layer "${name}" (${node.className}) cannot be built from a plan`)
  }
}

/** Builds the tfjs model a plan describes. The same plan and seed always give the same weights. */
export function modelFromPlan(plan: ModelPlan, seed: number): tf.LayersModel {
  const tensors = new Map<string, tf.SymbolicTensor>()
  const inputs: tf.SymbolicTensor[] = []
  for (const node of plan.nodes) {
    if (node.op === 'input') {
      const shape = node.shape.map((d) => d ?? null)
      const input = tf.input({ shape, name: node.name })
      tensors.set(node.name, input)
      inputs.push(input)
      continue
    }
    const sources = node.inputs.map((name) => {
      const t = tensors.get(name)
      if (!t) throw new Error(`layer "${node.name}" reads "${name}", which comes later or does not exist`)
      return t
    })
    const layer = layerFor(node, seed, node.name === plan.output)
    const out = layer.apply(sources.length === 1 ? sources[0] : sources) as tf.SymbolicTensor
    tensors.set(node.name, out)
  }
  const output = tensors.get(plan.output)
  if (!output) throw new Error(`plan output "${plan.output}" is not a layer of ${plan.name}`)
  return tf.model({ inputs, outputs: output, name: plan.name })
}
