import { createPinia, setActivePinia } from 'pinia'
import { CompareOverview } from '../../src-shared/compare'
import { ExplainOverview } from '../../src-shared/explain'
import { InspectOverview } from '../../src-shared/inspect'
import { RunSummary } from '../../src-shared/run'
import { setApiClient } from '../../src-renderer/src/shared/useApi'
import { FakeApiClient, type Handlers } from './fakeApiClient'

/** A fresh Pinia and a fake API client answering `handlers`, for one renderer unit test. */
export function rendererWith(handlers: Handlers = {}): FakeApiClient {
  const api = new FakeApiClient(handlers)
  setApiClient(api)
  setActivePinia(createPinia())
  return api
}

/** A promise the test settles itself, to order answers (an older answer arriving late). */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: Error) => void } {
  let resolve: (value: T) => void = () => undefined
  let reject: (err: Error) => void = () => undefined
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const TIME = '2026-01-01T00:00:00.000Z'

export function runSummary(id: string, status: RunSummary['status'] = 'completed'): RunSummary {
  return RunSummary.parse({
    id,
    name: `run ${id}`,
    pairId: null,
    status,
    statusReason: null,
    config: { dataset: 'mnist', model: { name: 'lenet5' } },
    epochsCompleted: 2,
    lastMetrics: null,
    createdAt: TIME,
    updatedAt: TIME
  })
}

const splits = [
  { name: 'train', count: 900 },
  { name: 'test', count: 100 }
]

/** A small LeNet-like run with two conv layers, epochs 0–2, on MNIST-like splits. */
export function inspectOverview(runId: string, dataset: { error?: string | null; splits?: typeof splits } = {}): InspectOverview {
  return InspectOverview.parse({
    runId,
    name: `run ${runId}`,
    status: 'completed',
    model: 'lenet5',
    input: { height: 28, width: 28, channels: 1 },
    epochs: [0, 1, 2],
    layers: [
      { name: 'conv1', className: 'Conv2D', outputShape: [24, 24, 6], spatial: true, hasFilters: true, activation: 'relu' },
      { name: 'conv2', className: 'Conv2D', outputShape: [8, 8, 16], spatial: true, hasFilters: true, activation: 'relu' },
      { name: 'dense', className: 'Dense', outputShape: [10], spatial: false, hasFilters: false, activation: 'softmax' }
    ],
    weights: [],
    dataset: { path: '/data/mnist', splits: dataset.splits ?? splits, classNames: ['zero', 'one'], error: dataset.error ?? null }
  })
}

export function explainOverview(runId: string, datasetError: string | null = null): ExplainOverview {
  return ExplainOverview.parse({
    runId,
    name: `run ${runId}`,
    epochs: [0, 1, 2],
    input: { height: 28, width: 28, channels: 1 },
    layers: [{ name: 'conv1', className: 'Conv2D', shape: [24, 24, 6], spatial: true }],
    classNames: ['zero', 'one'],
    attribute: null,
    dataset: { path: '/data/mnist', splits, error: datasetError, evidence: [] },
    defaults: { occlusion: { patch: 7, stride: 3, fill: 0.5 }, occlusionLayer: 'conv1', gradcamLayer: 'conv1', invarianceLayers: ['conv1', 'conv1'] }
  })
}

export function compareOverview(a: string, b: string, commonEpochs = [0, 1, 2]): CompareOverview {
  const side = (id: string) => ({
    run: runSummary(id),
    epochs: [],
    layers: [
      { name: 'conv1', className: 'Conv2D', shape: [24, 24, 6], representation: true },
      { name: 'conv2', className: 'Conv2D', shape: [8, 8, 16], representation: true },
      { name: 'conv3', className: 'Conv2D', shape: [2, 2, 32], representation: true },
      { name: 'dense', className: 'Dense', shape: [10], representation: true }
    ],
    input: { height: 28, width: 28, channels: 1 },
    weights: [
      { name: 'conv1/kernel', shape: [5, 5, 1, 6] },
      { name: 'conv2/kernel', shape: [5, 5, 6, 16] },
      { name: 'dense/bias', shape: [10] }
    ]
  })
  return CompareOverview.parse({
    a: side(a),
    b: side(b),
    samePair: true,
    commonLayers: ['conv1', 'conv2', 'conv3', 'dense'],
    commonWeights: ['conv1/kernel', 'conv2/kernel', 'dense/bias'],
    commonEpochs,
    dataset: { path: '/data/faces', splits, defaultSplit: 'train', evidence: [] },
    problem: null
  })
}
