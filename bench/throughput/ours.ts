import * as tf from '@tensorflow/tfjs'
import type { BackendName } from '../../src-shared/backend'
import type { ModelSpec } from '../../src-shared/model'
import { TrainConfig } from '../../src-shared/run'
import { buildModel } from '../../src-main/engine/models/index'
import { chooseObjective, createOptimizer, type Objective } from '../../src-main/engine/train/objective'
import { createTrainStep } from '../../src-main/engine/train/shardedStep'
import type { TrainStep } from '../../src-main/engine/train/trainStep'
import { trainLoop } from '../../src-main/engine/train/trainLoop'
import type { TrainingData } from '../../src-main/engine/train/trainingData'
import type { BenchData } from './benchData'

export interface RoundResult {
  imagesPerSecond: number
  /** CPU seconds this process spent per training step (all threads), which load on the shared cores inflates less than wall time. */
  cpuMsPerStep: number | null
  lastLoss: number
}

/** In-memory batches over the benchmark data; positions past the end wrap around. */
function memoryData(data: BenchData, count: number): TrainingData {
  const [n, height, width, channels] = data.shape
  const pixels = height * width * channels
  return {
    input: { height, width, channels },
    labelKind: 'class',
    classNames: Array.from({ length: data.classes }, (_, i) => String(i)),
    counts: { train: count, val: 0, test: 0 },
    async read(_split, positions) {
      const x = new Float32Array(positions.length * pixels)
      const y = new Float32Array(positions.length * data.classes)
      positions.forEach((p, i) => {
        const source = p % n
        x.set(data.x.subarray(source * pixels, (source + 1) * pixels), i * pixels)
        y[i * data.classes + data.labels[source]] = 1
      })
      return { x, y, size: positions.length }
    }
  }
}

/**
 * Our side of the benchmark: the product's own training loop (trainLoop) on the default
 * backend, so everything a user's run pays per batch is in the figure. A round is one epoch
 * of warm-up + timed batches; the clock runs from the end of the last warm-up batch to the
 * end of the last timed one.
 */
export class OurTrainer {
  private constructor(
    private readonly model: tf.LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly objective: Objective,
    private readonly data: BenchData,
    private readonly batch: number,
    private readonly seed: number,
    readonly step: TrainStep,
    /** How the batches are computed (threads), as the training job reports it. */
    readonly note: string
  ) {}

  static async create(spec: ModelSpec, data: BenchData, batch: number, learningRate: number, seed: number, backend: BackendName, threads: number): Promise<OurTrainer> {
    const [, height, width, channels] = data.shape
    const input = { height, width, channels }
    const objective = chooseObjective('class', data.classes, 'auto')
    const model = await buildModel(spec, input, objective.numOutputs, objective.outputActivation, seed)
    const optimizer = createOptimizer('adam', learningRate, 0.9)
    const { step, note } = await createTrainStep(model, optimizer, { backend, spec, input, objective, seed }, threads)
    return new OurTrainer(model, optimizer, objective, data, batch, seed, step, note)
  }

  async round(warmup: number, steps: number, round: number): Promise<RoundResult> {
    const config = TrainConfig.parse({
      dataset: 'bench', model: { name: this.model.name }, batchSize: this.batch, epochs: 1, validationSplit: 0, seed: this.seed + round
    })
    let startedAt = 0
    let endedAt = 0
    let cpuStart: NodeJS.CpuUsage | null = null
    let cpu: NodeJS.CpuUsage | null = null
    let lastLoss = NaN
    const outcome = await trainLoop({
      model: this.model, optimizer: this.optimizer, objective: this.objective, config, resumeFrom: 0, step: this.step,
      data: memoryData(this.data, (warmup + steps) * this.batch),
      hooks: {
        onProgress: (p) => {
          if (p.phase !== 'training') return
          if (p.loss !== null) lastLoss = p.loss
          if (p.batch === warmup) {
            startedAt = performance.now()
            cpuStart = process.cpuUsage()
          }
          if (p.batch === warmup + steps) {
            endedAt = performance.now()
            cpu = process.cpuUsage(cpuStart ?? undefined)
          }
        },
        commitEpoch: () => undefined,
        shouldStop: () => false
      }
    })
    if (outcome !== 'completed' || endedAt === 0) throw new Error('our training round did not complete')
    const seconds = (endedAt - startedAt) / 1000
    const used = cpu as NodeJS.CpuUsage | null
    return {
      imagesPerSecond: (steps * this.batch) / seconds,
      cpuMsPerStep: used ? (used.user + used.system) / 1000 / steps : null,
      lastLoss
    }
  }

  async dispose(): Promise<void> {
    await this.step.close()
    this.model.dispose()
    this.optimizer.dispose()
  }
}

export function liveTensors(): number {
  return tf.memory().numTensors
}
