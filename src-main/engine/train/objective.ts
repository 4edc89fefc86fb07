import * as tf from '@tensorflow/tfjs'
import type { LossName } from '../../../src-shared/run'
import type { OutputActivation } from '../../../src-shared/model'
import { FusedAdamOptimizer } from '../backend/fusedAdam'

export type ConcreteLoss = Exclude<LossName, 'auto'>

/** What the network is trained to predict and how it is scored. */
export interface Objective {
  loss: ConcreteLoss
  outputActivation: OutputActivation
  /** Width of the output layer: the number of classes, or 1 for a binary attribute. */
  numOutputs: number
  labelKind: 'class' | 'attribute'
}

export function chooseObjective(labelKind: 'class' | 'attribute', numClasses: number, requested: LossName): Objective {
  const loss: ConcreteLoss = requested !== 'auto' ? requested : labelKind === 'class' ? 'categoricalCrossentropy' : 'binaryCrossentropy'
  const numOutputs = labelKind === 'class' ? numClasses : 1
  const outputActivation: OutputActivation = labelKind === 'class' ? 'softmax' : 'sigmoid'
  return { loss, outputActivation, numOutputs, labelKind }
}

const EPSILON = 1e-7

/** Mean loss over the batch, as a scalar. Probabilities are clipped like Keras does. */
export function lossTensor(objective: Objective, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (objective.loss === 'meanSquaredError') return tf.mean(tf.square(tf.sub(yTrue, yPred)))
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON)
    if (objective.loss === 'binaryCrossentropy') {
      const perItem = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))))
      return tf.neg(tf.mean(perItem))
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(p)), -1)))
  }) as tf.Scalar
}

/** How many predictions in the batch are right, as a scalar (summed, not averaged). */
export function correctCount(objective: Objective, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (objective.labelKind === 'attribute') return tf.sum(tf.cast(tf.equal(tf.greater(yPred, 0.5), tf.greater(yTrue, 0.5)), 'float32'))
    return tf.sum(tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32'))
  }) as tf.Scalar
}

/** Adam is tf.train.adam's (same defaults and state) with a one-kernel update per variable where the backend has it. */
export function createOptimizer(name: 'adam' | 'sgd', learningRate: number, momentum: number): tf.Optimizer {
  return name === 'adam' ? new FusedAdamOptimizer(learningRate, 0.9, 0.999) : tf.train.momentum(learningRate, momentum)
}
