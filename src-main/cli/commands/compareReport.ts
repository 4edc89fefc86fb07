/** Text and JSON renderings of run comparisons for `featurelens compare`. */
import type { CkaEpochsResult, CkaMethod, CkaResult, CompareOverview } from '../../../src-shared/compare'
import type { RunSummary } from '../../../src-shared/run'

const cell = (v: number): string => (Number.isNaN(v) ? '    –' : v.toFixed(3).padStart(5))
const jsonValue = (v: number): number | null => (Number.isNaN(v) ? null : Number(v.toFixed(6)))

/** Rows of a row-major matrix as nested arrays (NaN → null), for JSON. */
export function matrixRows(values: Float32Array, rows: number, cols: number): (number | null)[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(values.subarray(i * cols, (i + 1) * cols), jsonValue))
}

function runLine(tag: string, run: RunSummary): string {
  const label = run.config.label.kind === 'attribute' ? run.config.label.attribute : 'class'
  return `${tag}  ${run.id}  ${run.name}  (label: ${label})`
}

export function methodLine(m: CkaMethod): string {
  const how = m.estimator === 'full' ? 'exact linear CKA' : `minibatch CKA, unbiased HSIC over ${m.batches} batches of ${m.batchSize}+`
  return `${m.examples} examples of the ${m.split} split (seed ${m.seed}), ${how}, ${m.cached ? 'from the workspace cache' : `${m.seconds.toFixed(1)} s`}`
}

/** A bar of up to 20 cells for a value in [0, 1], so the fall with depth is visible at a glance. */
const bar = (v: number | null): string => (v === null ? '' : '█'.repeat(Math.round(Math.max(0, Math.min(1, v)) * 20)))

export function ckaText(overview: CompareOverview, cka: CkaResult): string[] {
  const lines = [runLine('A', overview.a.run), runLine('B', overview.b.run), `epoch ${cka.epoch}: ${methodLine(cka.method)}`, '']
  const shape = new Map(overview.a.layers.map((l) => [l.name, l.shape.join('×')]))
  const width = Math.max(5, ...cka.layersA.map((n) => n.length))
  lines.push('Per layer: CKA of A against B at the same layer')
  lines.push(`  #  ${'layer'.padEnd(width)}  ${'output'.padEnd(12)}  CKA    95 % CI       `)
  cka.perLayer.forEach((p, i) => {
    const value = p.cka === null ? '    –' : p.cka.toFixed(3).padStart(5)
    const ci = p.low === null || p.high === null ? '' : `${p.low.toFixed(3)}–${p.high.toFixed(3)}`
    lines.push(`${String(i + 1).padStart(3)}  ${p.layer.padEnd(width)}  ${(shape.get(p.layer) ?? '').padEnd(12)}  ${value}  ${ci.padEnd(12)}  ${bar(p.cka)}`)
  })
  const iv = cka.crossInterval
  lines.push(iv ? `95 % intervals: percentile bootstrap, ${iv.replicates} resamples of the ${iv.resampled === 'examples' ? 'examples' : 'minibatches'}` : (cka.intervalNote ?? ''))
  lines.push('', 'Layer × layer CKA (rows: layers of A, columns: layers of B, numbered as below)')
  lines.push(`${''.padEnd(width + 5)}${cka.layersB.map((_, j) => String(j + 1).padStart(6)).join('')}`)
  cka.layersA.forEach((name, i) => {
    const row = Array.from(cka.cross.subarray(i * cka.layersB.length, (i + 1) * cka.layersB.length), (v) => ` ${cell(v)}`).join('')
    lines.push(`${String(i + 1).padStart(3)}  ${name.padEnd(width)}${row}`)
  })
  if (cka.layersB.join() !== cka.layersA.join()) {
    lines.push('', 'Columns (layers of B):', ...cka.layersB.map((name, j) => `${String(j + 1).padStart(3)}  ${name}`))
  }
  return lines
}

export function epochsText(result: CkaEpochsResult): string[] {
  const E = result.epochs.length
  const width = Math.max(5, ...result.layers.map((n) => n.length))
  const header = `${'layer'.padEnd(width)}  ${result.epochs.map((e) => `e${e}`.padStart(6)).join('')}`
  const table = (title: string, values: Float32Array): string[] => [
    title,
    header,
    ...result.layers.map((name, l) => `${name.padEnd(width)}  ${Array.from(values.subarray(l * E, (l + 1) * E), (v) => ` ${cell(v)}`).join('')}`)
  ]
  return [
    `CKA across epochs: ${methodLine(result.method)}`,
    '',
    ...table('A against B, same layer, same epoch', result.aVsB),
    '',
    ...table(`A against its own epoch ${result.epochs[E - 1]}`, result.vsFinalA),
    '',
    ...table(`B against its own epoch ${result.epochs[E - 1]}`, result.vsFinalB)
  ]
}

export function ckaJson(cka: CkaResult, epochs: CkaEpochsResult | null) {
  const la = cka.layersA.length
  const lb = cka.layersB.length
  const perEpoch = (values: Float32Array) => matrixRows(values, epochs!.layers.length, epochs!.epochs.length)
  return {
    a: cka.a,
    b: cka.b,
    epoch: cka.epoch,
    method: cka.method,
    layersA: cka.layersA,
    layersB: cka.layersB,
    perLayer: cka.perLayer,
    matrix: matrixRows(cka.cross, la, lb),
    interval: cka.crossInterval
      ? { low: matrixRows(cka.crossInterval.low, la, lb), high: matrixRows(cka.crossInterval.high, la, lb), level: cka.crossInterval.level, replicates: cka.crossInterval.replicates, resampled: cka.crossInterval.resampled }
      : null,
    intervalNote: cka.intervalNote,
    selfA: matrixRows(cka.selfA, la, la),
    selfB: matrixRows(cka.selfB, lb, lb),
    ...(epochs
      ? {
          acrossEpochs: {
            layers: epochs.layers,
            epochs: epochs.epochs,
            method: epochs.method,
            aVsB: perEpoch(epochs.aVsB),
            vsFinalA: perEpoch(epochs.vsFinalA),
            vsFinalB: perEpoch(epochs.vsFinalB)
          }
        }
      : {})
  }
}
