import * as tf from '@tensorflow/tfjs'
import { AdamUpdate, type AdamUpdateAttrs } from './kernels/adamUpdate'

type NamedGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0]

/** The AdamOptimizer fields this subclass works with (protected or untyped in tfjs). */
interface AdamState {
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable }>
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  epsilon: number
  incrementIterations(): void
}

/**
 * tfjs's Adam with each variable's update done by one kernel (AdamUpdate) where the active
 * backend has it, and by tfjs's own ops elsewhere. The state (moments, β powers, iterations),
 * its names and getWeights/setWeights are tfjs's, so stored optimizer state stays compatible
 * in both directions.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: NamedGradients): void {
    if (!tf.getKernel(AdamUpdate, tf.getBackend())) {
      super.applyGradients(variableGradients)
      return
    }
    const self = this as unknown as AdamState
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients)
    // Two scalars per step. AdamUpdate is registered on wasm and cpu only, where reading them is a
    // copy from memory; on webgpu the branch above uses tfjs's Adam, which never reads.
    const oneMinusAccBeta1 = Math.fround(1 - self.accBeta1.dataSync()[0])
    const oneMinusAccBeta2 = Math.fround(1 - self.accBeta2.dataSync()[0])
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: self.epsilon, oneMinusAccBeta1, oneMinusAccBeta2
    }
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name]
        if (gradient == null) return
        const m = self.accumulatedFirstMoment[i].variable
        const v = self.accumulatedSecondMoment[i].variable
        const [newValue, newM, newV] = tf.engine().runKernel(AdamUpdate, { value, gradient, m, v }, attrs) as tf.Tensor[]
        m.assign(newM)
        v.assign(newV)
        value.assign(newValue)
      })
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1))
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2))
    })
    self.incrementIterations()
  }
}
