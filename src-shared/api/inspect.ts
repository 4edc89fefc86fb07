import { z } from 'zod'
import { TaskId } from './tasks'
import { ArchitectureTable } from '../architecture'
import { SplitName } from '../dataset'
import {
  ChangeNormsResponse,
  ChannelsResponse,
  EvolutionResponse,
  FeatureMapsResponse,
  FilterNormalise,
  FiltersResponse,
  FilterView,
  ImageChoice,
  InspectEpoch,
  InspectOverview,
  InspectRunId,
  MatrixRegion,
  PoolMode,
  WeightMatrixResponse,
  WeightRef,
  WeightStatsResponse,
  WeightValueResponse
} from '../inspect'

const run = z.object({ runId: InspectRunId }).strict()
/** Display size of a matrix view; the server block-pools down to it. */
const maxCells = z.number().int().min(1).max(4096)
/** Lets the client follow progress events and cancel the work. */
const taskId = TaskId.optional()
/** A sample of the dataset for statistics over images. */
const sample = {
  split: SplitName.optional(),
  sample: z.number().int().min(1, 'sample: take at least 1 image').max(10_000, 'sample: at most 10000 images').default(256),
  seed: z.number().int().min(0).default(0)
}

export const inspectMethods = {
  /** Epochs, layers, weights and dataset splits of a run: what the inspector offers to choose from. */
  'inspect.overview': { request: run, response: InspectOverview },
  /** The architecture table with receptive fields, from the run's own model. */
  'inspect.architecture': { request: run, response: ArchitectureTable },
  /** Every conv layer's kernels at an epoch (or only `layers`). */
  'inspect.filters': {
    request: z
      .object({
        runId: InspectRunId,
        epoch: InspectEpoch,
        layers: z.array(z.string().min(1)).optional(),
        view: FilterView.default('auto'),
        normalise: FilterNormalise.default('filter'),
        maxFilters: z.number().int().min(1).max(4096).default(256),
        maxInputs: z.number().int().min(1).max(4096).default(64)
      })
      .strict(),
    response: FiltersResponse
  },
  /** Every spatial layer's feature maps (or only `layers`) for one image at an epoch, with μ and σ of |F| per channel. */
  'inspect.featureMaps': {
    request: z.object({ runId: InspectRunId, epoch: InspectEpoch, image: ImageChoice, layers: z.array(z.string().min(1)).optional(), taskId }).strict(),
    response: FeatureMapsResponse
  },
  /** A weight tensor at an epoch as a matrix, block-pooled to maxRows × maxCols over `region` (zoom and pan). */
  'inspect.weights': {
    request: z
      .object({ runId: InspectRunId, epoch: InspectEpoch, weight: WeightRef, maxRows: maxCells.default(512), maxCols: maxCells.default(512), region: MatrixRegion.optional(), mode: PoolMode.default('maxabs') })
      .strict(),
    response: WeightMatrixResponse
  },
  /** Per-weight mean and variance maps over the cached epochs, per-epoch summaries and histograms. */
  'inspect.weightStats': {
    request: z
      .object({
        runId: InspectRunId,
        weight: WeightRef,
        maxRows: maxCells.default(512),
        maxCols: maxCells.default(512),
        region: MatrixRegion.optional(),
        mode: PoolMode.default('maxabs'),
        bins: z.number().int().min(2).max(1024).default(64),
        taskId
      })
      .strict(),
    response: WeightStatsResponse
  },
  /** The exact value of one matrix cell: a weight at an epoch, or its mean or variance over training. */
  'inspect.weightValue': {
    request: z
      .object({
        runId: InspectRunId,
        weight: WeightRef,
        map: z.enum(['epoch', 'mean', 'variance']),
        epoch: InspectEpoch.optional(),
        row: z.number().int().min(0),
        col: z.number().int().min(0)
      })
      .strict(),
    response: WeightValueResponse
  },
  /** ‖W_e − W_e−1‖ for every weight tensor and epoch. */
  'inspect.changeNorms': { request: z.object({ runId: InspectRunId, taskId }).strict(), response: ChangeNormsResponse },
  /** Dead and always-on channels of every spatial layer over a dataset sample. */
  'inspect.channels': {
    request: z
      .object({
        runId: InspectRunId,
        epoch: InspectEpoch,
        ...sample,
        relativeTolerance: z.number().min(0).max(1).default(0.01),
        flagFraction: z.number().gt(0).max(1).default(0.9),
        taskId
      })
      .strict(),
    response: ChannelsResponse
  },
  /** Each channel's strongest activation over a dataset sample, at each chosen epoch (seed 003). */
  'inspect.evolution': {
    request: z
      .object({
        runId: InspectRunId,
        layer: z.string().min(1, 'layer: choose a layer'),
        epochs: z.array(InspectEpoch).min(1, 'epochs: choose at least one epoch').max(32, 'epochs: at most 32 epochs at once'),
        ...sample,
        maxChannels: z.number().int().min(1).max(512).default(16),
        taskId
      })
      .strict(),
    response: EvolutionResponse
  }
} as const
