import { describe, expect, it } from 'vitest'
import { pairNames } from '../../../src-shared/compare'
import { TrainConfig, type RunSummary } from '../../../src-shared/run'
import { curvesFigure, differenceFigure } from '../../../src-shared/figures/compareFigures'
import type { CompareOverview } from '../../../src-shared/compare'

function run(name: string, label: TrainConfig['label']): RunSummary {
  const config = TrainConfig.parse({ dataset: '/data/faces', model: { name: 'minimal' }, label })
  return { id: name, name, pairId: null, status: 'completed', statusReason: null, config, epochsCompleted: 1, lastMetrics: null, createdAt: '', updatedAt: '' }
}

describe('what a pair of runs is called', () => {
  it('by what each learned when they learn different attributes, else by name, letters only to part equal names', () => {
    expect(pairNames(run('faces a', { kind: 'attribute', attribute: 'Smiling' }), run('faces b', { kind: 'attribute', attribute: 'Male' }))).toEqual({ a: 'Smiling', b: 'Male' })
    expect(pairNames(run('lenet5 seed 1', { kind: 'class' }), run('lenet5 seed 2', { kind: 'class' }))).toEqual({ a: 'lenet5 seed 1', b: 'lenet5 seed 2' })
    expect(pairNames(run('mnist', { kind: 'class' }), run('mnist', { kind: 'class' }))).toEqual({ a: 'mnist (A)', b: 'mnist (B)' })
  })

  it('names the runs in figures instead of "run A" and "run B"', () => {
    const epochs = [{ epoch: 1, trainLoss: 1, valLoss: 1, trainAccuracy: 0.5, valAccuracy: 0.5, testLoss: null, testAccuracy: 0.5, imagesPerSecond: 1, durationMs: 1 }]
    const overview = { a: { epochs }, b: { epochs } } as unknown as CompareOverview
    const series = curvesFigure(overview, 'loss', { a: 'Smiling', b: 'Male' }).option.series as { name: string }[]
    expect(series.map((s) => s.name)).toEqual(['Smiling train', 'Smiling validation', 'Male train', 'Male validation'])
    expect(differenceFigure(new Float32Array([1, -1]), 2, 1, 'd', { a: 'Smiling', b: 'Male' }).scale.label).toBe('Smiling − Male')
  })
})
