/**
 * Figure specs of the Early exit page: the threshold sweeps (accuracy against mean latency,
 * hit rate against threshold), per-layer hit rates and accuracy, the measured latency split,
 * and confusion matrices.
 */
import { STRATEGY_LABELS, type EarlyExitResult, type StrategyName, type StrategyResult } from '../earlyExit'
import type { ChartFigure } from '../figure'

/** Each strategy keeps its colour in every chart; the full network is grey. */
export const STRATEGY_COLORS: Record<StrategyName, string> = { knn: '#3b5bdb', centroid: '#e8590c', confidence: '#2b8a3e' }
const FULL_COLOR = '#495057'
const LAYER_COLORS = ['#1971c2', '#f08c00', '#2f9e44', '#c2255c', '#7048e8', '#0c8599', '#e03131', '#5c940d']

const pct = (v: number): number => Number((v * 100).toFixed(2))
const msValue = (v: number): number => Number(v.toPrecision(4))

/** Accuracy against mean latency per image (batch 1), one curve per strategy, the full network as a point. */
export function sweepFigure(result: EarlyExitResult): ChartFigure {
  const series: Record<string, unknown>[] = result.strategies.map((s) => ({
    name: STRATEGY_LABELS[s.strategy],
    type: 'line',
    symbolSize: 6,
    color: STRATEGY_COLORS[s.strategy],
    data: [...s.sweep].sort((a, b) => a.meanLatencyMs - b.meanLatencyMs).map((p) => [msValue(p.meanLatencyMs), pct(p.accuracy)])
  }))
  series.push({ name: 'full network', type: 'scatter', symbol: 'diamond', symbolSize: 14, color: FULL_COLOR, data: [[msValue(result.full.batch1.mean), pct(result.full.accuracy)]] })
  return {
    kind: 'chart',
    title: 'Accuracy against mean latency per image (threshold sweep, batch 1)',
    option: {
      tooltip: { trigger: 'item' },
      legend: { top: 26 },
      grid: { left: 60, right: 24, top: 80, bottom: 50 },
      xAxis: { type: 'value', name: 'mean latency per image (ms)', nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: 'accuracy (%)', nameLocation: 'middle', nameGap: 42, scale: true },
      series
    }
  }
}

/** Hit rate (images that exit early) against the threshold, overall and per candidate layer. */
export function hitRateFigure(s: StrategyResult, layers: string[]): ChartFigure {
  const points = [...s.sweep].sort((a, b) => a.threshold - b.threshold)
  const series: Record<string, unknown>[] = [
    { name: 'all layers', type: 'line', color: STRATEGY_COLORS[s.strategy], lineStyle: { width: 3 }, data: points.map((p) => [p.threshold, pct(p.hitRate)]) },
    ...layers.map((layer, k) => ({ name: layer, type: 'line', color: LAYER_COLORS[k % LAYER_COLORS.length], lineStyle: { type: 'dashed' }, symbol: 'none', data: points.map((p) => [p.threshold, pct(p.perLayerHitRate[k])]) }))
  ]
  return {
    kind: 'chart',
    title: `Hit rate against threshold: ${STRATEGY_LABELS[s.strategy]}`,
    option: {
      tooltip: { trigger: 'axis' },
      legend: { top: 26 },
      grid: { left: 60, right: 24, top: 80, bottom: 50 },
      xAxis: { type: 'value', name: s.thresholdName, nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: 'images exiting (%)', nameLocation: 'middle', nameGap: 42, min: 0, max: 100 },
      series
    }
  }
}

/** Per candidate layer at each strategy's operating threshold: hit rate and the accuracy of the images exiting there. */
export function perLayerFigure(result: EarlyExitResult): ChartFigure {
  const series = result.strategies.flatMap((s) => [
    { name: `${STRATEGY_LABELS[s.strategy]}: hit rate`, type: 'bar', color: STRATEGY_COLORS[s.strategy], data: s.perLayer.map((l) => pct(l.hitRate)) },
    { name: `${STRATEGY_LABELS[s.strategy]}: accuracy of exits`, type: 'line', color: STRATEGY_COLORS[s.strategy], lineStyle: { type: 'dashed' }, symbol: 'circle', data: s.perLayer.map((l) => (l.accuracy === null ? null : pct(l.accuracy))) }
  ])
  return {
    kind: 'chart',
    title: 'Per layer: share of images exiting and their accuracy',
    option: {
      tooltip: { trigger: 'axis' },
      legend: { top: 26, type: 'scroll' },
      grid: { left: 60, right: 24, top: 80, bottom: 40 },
      xAxis: { type: 'category', data: result.layers },
      yAxis: { type: 'value', name: '%', nameLocation: 'middle', nameGap: 42, min: 0, max: 100 },
      series
    }
  }
}

/** Measured mean latency per image, split into stages, descriptor and search, at batch 1 and batched. */
export function latencySplitFigure(result: EarlyExitResult): ChartFigure {
  const rows = [
    { name: 'full network, batch 1', split: { stages: result.full.batch1.mean, descriptor: 0, search: 0 } },
    ...result.strategies.map((s) => ({ name: `${STRATEGY_LABELS[s.strategy]}, batch 1`, split: s.batch1.split })),
    { name: `full network, batch ${result.batch}`, split: { stages: result.full.batched.mean, descriptor: 0, search: 0 } },
    ...result.strategies.map((s) => ({ name: `${STRATEGY_LABELS[s.strategy]}, batch ${result.batch}`, split: s.batched.split }))
  ]
  const part = (key: 'stages' | 'descriptor' | 'search', name: string, color: string) => ({ name, type: 'bar', stack: 'ms', color, data: rows.map((r) => msValue(r.split[key])) })
  return {
    kind: 'chart',
    title: 'Measured latency per image and where it goes',
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 210, right: 30, top: 40, bottom: 60 },
      xAxis: { type: 'value', name: 'ms per image' },
      yAxis: { type: 'category', data: rows.map((r) => r.name), inverse: true },
      series: [part('stages', 'network stages run', '#4c6ef5'), part('descriptor', 'descriptor', '#fab005'), part('search', 'search and decision', '#e64980')]
    }
  }
}

/** A confusion matrix (rows: true class, columns: predicted), counts in the cells. */
export function confusionFigure(matrix: number[][], classNames: string[], title: string): ChartFigure {
  const data: [number, number, number][] = []
  matrix.forEach((row, t) => row.forEach((n, p) => data.push([p, t, n])))
  const max = Math.max(1, ...data.map((d) => d[2]))
  return {
    kind: 'chart',
    title,
    option: {
      tooltip: { position: 'top' },
      grid: { left: 70, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: classNames, name: 'predicted', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'category', data: classNames, name: 'true', inverse: true },
      visualMap: { min: 0, max, show: false, inRange: { color: ['#f8f9fa', '#1864ab'] } },
      series: [{ type: 'heatmap', data, label: { show: classNames.length <= 12, fontSize: 10 } }]
    }
  }
}
