/**
 * Experiment 2 of seed 000: does a network trained on cached feature maps match one trained on
 * the images? For two classes and a conv layer of a trained run, the run's layers up to that
 * conv (frozen, with its weights) turn the two classes' training images into feature maps; a
 * fresh model of the same architecture from that point on is trained on the maps; the same
 * architecture, fresh, is trained on the images. Both are tested on the two classes' test
 * images and stored as runs (the first with its frozen layers in front, so it takes images).
 */
import * as tf from '@tensorflow/tfjs'
import { ApiError } from '../../../../src-shared/errors'
import type { FeatureMapTrainRequestInput, FeatureMapTrainResult, TrainedModelRow } from '../../../../src-shared/earlyExit'
import { FeatureMapTrainRequest } from '../../../../src-shared/earlyExit'
import type { EpochMetrics, RunSummary } from '../../../../src-shared/run'
import type { Dataset } from '../../data/dataset'
import { epochOrder } from '../../data/splits'
import { buildModel } from '../../models/index'
import type { WorkspaceDb } from '../../store/database'
import { commitEpoch, type StoredTensor } from '../../store/epochStore'
import { createRun, setModelTopology, setRunStatus } from '../../store/runStore'
import { TaskProgressTracker, type TaskControl } from '../../tasks/taskControl'
import { snapshotWeights } from '../../models/storedModel'
import { modelImageShape } from '../core/imageInput'
import { queryImages, referenceImages, type ImageSet } from './imageSets'
import { candidateLayers } from './stagedModel'

interface RunAt {
  run: RunSummary
  epoch: number
  model: tf.LayersModel
  dataset: Dataset
  label: string | undefined
}

interface Examples {
  x: tf.Tensor
  y: tf.Tensor
  count: number
}

function ofClasses(set: ImageSet, labels: Int32Array, classes: [number, number], limit?: number): Int32Array {
  const picked = [...set.indices].filter((i) => labels[i] === classes[0] || labels[i] === classes[1]).sort((a, b) => a - b)
  return Int32Array.from(limit !== undefined ? picked.slice(0, limit) : picked)
}

async function readExamples(at: RunAt, set: ImageSet, indices: Int32Array, classes: [number, number]): Promise<{ x: Float32Array; y: Float32Array; count: number }> {
  const batch = await set.source.readBatch(indices, modelImageShape(at.model), { label: at.label })
  const y = new Float32Array(batch.indices.length * 2)
  batch.labels.forEach((l, i) => (y[i * 2 + (l === classes[0] ? 0 : 1)] = 1))
  return { x: batch.x, y, count: batch.indices.length }
}

/** One model's training: seeded batch order, Adam, cross-entropy; returns test loss/accuracy and seconds. */
async function train(
  model: tf.LayersModel,
  train: Examples,
  test: Examples,
  options: { epochs: number; batchSize: number; learningRate: number; seed: number },
  tracker: TaskProgressTracker,
  onEpoch: (metrics: EpochMetrics) => void
): Promise<{ loss: number; accuracy: number; seconds: number }> {
  const optimizer = tf.train.adam(options.learningRate)
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const all = Int32Array.from({ length: train.count }, (_, i) => i)
  let seconds = 0
  let result = { loss: NaN, accuracy: NaN }
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = performance.now()
    const order = epochOrder(all, options.seed, epoch)
    let lossSum = 0
    for (let b = 0; b < order.length; b += options.batchSize) {
      const idx = tf.tensor1d(order.subarray(b, b + options.batchSize), 'int32')
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const p = model.apply(tf.gather(train.x, idx), { training: true }) as tf.Tensor
            return tf.losses.softmaxCrossEntropy(tf.gather(train.y, idx), tf.log(tf.clipByValue(p, 1e-7, 1)))
          }),
        true,
        vars
      )
      lossSum += (loss?.dataSync()[0] ?? 0) * Math.min(options.batchSize, order.length - b)
      tf.dispose(loss ? [loss, idx] : [idx])
      await tracker.step(Math.min(options.batchSize, order.length - b))
    }
    seconds += (performance.now() - start) / 1000
    result = evaluate(model, test)
    onEpoch({ epoch, trainLoss: lossSum / train.count, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: result.loss, testAccuracy: result.accuracy, imagesPerSecond: train.count / ((performance.now() - start) / 1000), durationMs: performance.now() - start })
  }
  optimizer.dispose()
  return { ...result, seconds }
}

function evaluate(model: tf.LayersModel, data: Examples): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const p = tf.clipByValue(model.predict(data.x, { batchSize: 256 }) as tf.Tensor, 1e-7, 1)
    const loss = tf.mean(tf.neg(tf.sum(tf.mul(data.y, tf.log(p)), -1))).dataSync()[0]
    const right = tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(data.y, -1)), 'float32')).dataSync()[0]
    return { loss, accuracy: right / data.count }
  })
}

async function storeTrainedRun(db: WorkspaceDb, at: RunAt, name: string, model: tf.LayersModel, request: FeatureMapTrainRequest, epochs: EpochMetrics[], initial: StoredTensor[]): Promise<string> {
  const config = { ...at.run.config, name, epochs: request.epochs, batchSize: request.batchSize, learningRate: request.learningRate, seed: request.seed, fractionPerClass: undefined, limit: undefined }
  const runId = createRun(db, config)
  setModelTopology(db, runId, model.toJSON(null, false))
  const none = { trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }
  commitEpoch(db, runId, { metrics: { epoch: 0, ...none }, batchLosses: null, weights: initial, optimizer: [] })
  const final = await snapshotWeights(model)
  epochs.forEach((metrics, i) => commitEpoch(db, runId, { metrics, batchLosses: null, weights: i === epochs.length - 1 ? final : initial, optimizer: [] }))
  setRunStatus(db, runId, 'completed', null)
  return runId
}

export async function trainOnFeatureMaps(db: WorkspaceDb, at: RunAt, input: FeatureMapTrainRequestInput, control: TaskControl = {}): Promise<FeatureMapTrainResult> {
  const request = FeatureMapTrainRequest.parse(input)
  const names = at.dataset.classNames
  const [a, b] = request.classes
  for (const c of request.classes) {
    if (c >= names.length) throw new ApiError('bad_input', `classes: class ${c} is not in the dataset; it has classes 0 to ${names.length - 1} (${names.slice(0, 12).join(', ')})`)
  }
  if (a === b) throw new ApiError('bad_input', `classes: the two classes must differ, got ${a} (${names[a]}) twice`)
  const [layer] = candidateLayers(at.model, [request.layer])
  const shape = modelImageShape(at.model)
  const tracker = new TaskProgressTracker(1, control, 'training on feature maps')
  tracker.stage('reading the images of the two classes')

  const reference = referenceImages(at.dataset, at.run.config)
  const trainIdx = ofClasses(reference, reference.source.labels(at.label), request.classes, request.limit)
  const testSet: ImageSet = at.dataset.has('test')
    ? { split: 'test', source: at.dataset.split('test'), indices: Int32Array.from({ length: at.dataset.split('test').count }, (_, i) => i), description: 'the test images' }
    : queryImages(at.dataset, at.run.config, Number.MAX_SAFE_INTEGER, 0)
  const testIdx = ofClasses(testSet, testSet.source.labels(at.label), request.classes, request.limit)
  if (trainIdx.length < 2 || testIdx.length < 1) throw new ApiError('bad_input', `classes: ${names[a]} and ${names[b]} have ${trainIdx.length} training and ${testIdx.length} test images; pick classes with images in both`)
  const trainRaw = await readExamples(at, reference, trainIdx, request.classes)
  const testRaw = await readExamples(at, testSet, testIdx, request.classes)
  tracker.setTotal(trainRaw.count * request.epochs * 2)

  const tensors: tf.Tensor[] = []
  const keep = <T extends tf.Tensor>(t: T): T => (tensors.push(t), t)
  try {
    const images = (raw: typeof trainRaw): Examples => ({ x: keep(tf.tensor4d(raw.x, [raw.count, shape.height, shape.width, shape.channels])), y: keep(tf.tensor2d(raw.y, [raw.count, 2])), count: raw.count })
    const trainImages = images(trainRaw)
    const testImages = images(testRaw)

    // The frozen layers: the run's network up to the chosen conv, with its weights.
    tracker.stage(`feature maps of ${layer}`)
    const frozen = tf.model({ inputs: at.model.inputs, outputs: at.model.getLayer(layer).output as tf.SymbolicTensor })
    const maps = (ex: Examples): Examples => ({ x: keep(frozen.predict(ex.x, { batchSize: 128 }) as tf.Tensor), y: ex.y, count: ex.count })
    const trainMaps = maps(trainImages)
    const testMaps = maps(testImages)
    const mapShape = trainMaps.x.shape.slice(1)

    // The same architecture with two outputs; its layers up to the conv get the run's weights and stay fixed.
    const composite = await buildModel(at.run.config.model, shape, 2, 'softmax', request.seed)
    const order = composite.layers.map((l) => l.name)
    const cut = order.indexOf(layer)
    for (let i = 1; i <= cut; i++) {
      const own = composite.layers[i]
      own.setWeights(at.model.getLayer(own.name).getWeights())
      own.trainable = false
    }
    const mapInput = tf.input({ shape: mapShape })
    let y: tf.SymbolicTensor = mapInput
    for (let i = cut + 1; i < composite.layers.length; i++) y = composite.layers[i].apply(y) as tf.SymbolicTensor
    const head = tf.model({ inputs: mapInput, outputs: y })
    const options = { epochs: request.epochs, batchSize: request.batchSize, learningRate: request.learningRate, seed: request.seed }
    const mapInitial = await snapshotWeights(composite)
    const mapEpochs: EpochMetrics[] = []
    tracker.stage(`training on ${layer}'s feature maps`)
    const onMaps = await train(head, trainMaps, testMaps, options, tracker, (m) => mapEpochs.push(m))

    const plain = await buildModel(at.run.config.model, shape, 2, 'softmax', request.seed)
    const plainInitial = await snapshotWeights(plain)
    const plainEpochs: EpochMetrics[] = []
    tracker.stage('training on the images')
    const onImages = await train(plain, trainImages, testImages, options, tracker, (m) => plainEpochs.push(m))
    tracker.throwIfCancelled()

    const pair = `${names[a]} vs ${names[b]}`
    const mapRun = await storeTrainedRun(db, at, `${at.run.name} · ${pair} on ${layer} feature maps`, composite, request, mapEpochs, mapInitial)
    const imageRun = await storeTrainedRun(db, at, `${at.run.name} · ${pair} on images`, plain, request, plainEpochs, plainInitial)
    tracker.finish()
    // `frozen` shares the run's own layers, so it is not disposed; the new models are.
    composite.dispose()
    plain.dispose()
    const row = (kind: TrainedModelRow['kind'], runId: string, r: typeof onMaps): TrainedModelRow => ({ kind, runId, accuracy: r.accuracy, loss: r.loss, trainingSeconds: r.seconds, trainImages: trainRaw.count, testImages: testRaw.count })
    const diff = (onMaps.accuracy - onImages.accuracy) * 100
    const sentence =
      Math.abs(diff) < 0.05
        ? `Trained on ${layer}'s feature maps, the model classifies ${pair} exactly as accurately as the one trained on the images (${(onMaps.accuracy * 100).toFixed(1)}%).`
        : `Trained on ${layer}'s feature maps, the model is ${Math.abs(diff).toFixed(1)} pt ${diff > 0 ? 'more' : 'less'} accurate on ${pair} than the one trained on the images (${(onMaps.accuracy * 100).toFixed(1)}% against ${(onImages.accuracy * 100).toFixed(1)}%), and trained in ${onMaps.seconds.toFixed(1)} s against ${onImages.seconds.toFixed(1)} s.`
    return { runId: at.run.id, layer, classes: [names[a], names[b]], mapShape, rows: [row('feature maps', mapRun, onMaps), row('images', imageRun, onImages)], sentence }
  } finally {
    tf.dispose(tensors)
  }
}
