/** What the early-exit experiment runs on: the run's model cut into stages, the reference descriptors and the query images. */
import type * as tf from '@tensorflow/tfjs'
import type { ModelInputShape } from '../../../../src-shared/model'
import type { LayerDescriptors } from '../../store/descriptorStore'
import type { Stage } from './stagedModel'

export interface QueryImages {
  x: Float32Array
  labels: Int32Array
  count: number
  shape: ModelInputShape
  description: string
}

export interface EarlyExitInputs {
  model: tf.LayersModel
  stages: Stage[]
  layers: string[]
  references: LayerDescriptors[]
  referenceSource: string
  queries: QueryImages
  classNames: string[]
  runId: string
  epoch: number
}
