/**
 * A run's training curves: batch and epoch loss, and accuracy per split. Used by the run view
 * and by `featurelens plot RUN curves`.
 */
import type { ChartFigure } from '../figure'
import type { EpochMetrics } from '../run'

export interface RunCurveInput {
  epochs: EpochMetrics[]
  batchLosses: { epoch: number; losses: ArrayLike<number> }[]
  /** Live batch losses of the epoch in flight, after the stored ones. */
  live?: { step: number; loss: number }[]
}

/** Stored batch losses, then the live ones of the epoch in flight, as (step, loss). */
export function batchLossPoints(input: RunCurveInput): [number, number][] {
  const points: [number, number][] = []
  let step = 0
  for (const { losses } of input.batchLosses) for (let i = 0; i < losses.length; i++) points.push([++step, losses[i]])
  for (const p of input.live ?? []) if (p.step > step) points.push([p.step, p.loss])
  return points
}

export function runLossFigure(input: RunCurveInput, title = 'Loss'): ChartFigure {
  const stepsPerEpoch = input.batchLosses[0]?.losses.length ?? 0
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 55, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 'batch', nameLocation: 'middle', nameGap: 25 },
      yAxis: { type: 'value', name: 'loss', scale: true },
      series: [
        { name: 'batch loss', type: 'line', showSymbol: false, data: batchLossPoints(input), lineStyle: { width: 1 } },
        { name: 'epoch train loss', type: 'line', data: input.epochs.filter((e) => e.trainLoss !== null).map((e) => [e.epoch * stepsPerEpoch, e.trainLoss]) },
        { name: 'validation loss', type: 'line', data: input.epochs.filter((e) => e.valLoss !== null).map((e) => [e.epoch * stepsPerEpoch, e.valLoss]) }
      ]
    }
  }
}

export function runAccuracyFigure(input: RunCurveInput, title = 'Accuracy'): ChartFigure {
  const labels = { trainAccuracy: 'train', valAccuracy: 'validation', testAccuracy: 'test' } as const
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 55, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, minInterval: 1, min: 'dataMin' },
      yAxis: { type: 'value', name: 'accuracy', min: 0, max: 1 },
      series: (['trainAccuracy', 'valAccuracy', 'testAccuracy'] as const).map((key) => ({
        name: labels[key],
        type: 'line',
        data: input.epochs.filter((e) => e[key] !== null).map((e) => [e.epoch, e[key]])
      }))
    }
  }
}
