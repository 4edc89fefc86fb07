/** Figure specs the export tests share. */
import type { CompareOverview } from '../../src-shared/compare'
import { curvesFigure } from '../../src-shared/figures/compareFigures'
import type { EpochMetrics } from '../../src-shared/run'

const epoch = (e: number, trainLoss: number, valLoss: number): EpochMetrics =>
  ({ epoch: e, trainLoss, valLoss, trainAccuracy: 0.5, valAccuracy: 0.5, testLoss: null, testAccuracy: 0.5, imagesPerSecond: 100, durationMs: 1000 })

/** Two runs' loss: the figure the compare view shows. */
export function twoRunLoss(): ReturnType<typeof curvesFigure> {
  const overview = {
    a: { epochs: [epoch(1, 1.2, 1.3), epoch(2, 0.8, 0.9), epoch(3, 0.55, 0.7)] },
    b: { epochs: [epoch(1, 1.5, 1.6), epoch(2, 1.1, 1.25), epoch(3, 0.9, 1.05)] }
  } as unknown as CompareOverview
  return curvesFigure(overview, 'loss')
}

