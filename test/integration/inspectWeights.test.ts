import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src-main/engine/backend/select'
import { commitEpoch, loadTensor, loadTensors, type StoredTensor } from '../../src-main/engine/store/epochStore'
import type { OpenApi } from '../../src-main/api/openApi'
import { driftingWeights, storeRun } from '../support/storedRun'
import { openTestApi } from '../support/workspace'

const EPOCHS = 5
let api: OpenApi
let runId: string

/** A small conv net: a conv kernel [3, 3, 2, 4] (reshaped for display) and a dense [36, 5]. */
function smallModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 5, activation: 'softmax', name: 'dense' })
    ]
  })
}

/** The stored value at tensor coordinates, read straight from the stored row-major data. */
function storedAt(tensor: StoredTensor, coords: number[]): number {
  return tensor.data[coords.reduce((flat, c, axis) => flat * tensor.shape[axis] + c, 0)]
}

/** Matrix cell (row, col) → stored coordinates, written from the layout's own description. */
function coordsOf(shape: number[], row: number, col: number): number[] {
  if (shape.length === 1) return [col]
  if (shape.length === 2) return [col, row]
  const [kh, kw] = shape
  return [Math.floor(col / kw) % kh, col % kw, Math.floor(col / (kh * kw)), row]
}

beforeAll(async () => {
  await initBackend()
  api = openTestApi()
  runId = storeRun(api.context.db, smallModel(), EPOCHS, driftingWeights)
})
afterAll(() => api?.close())

describe('inspect.weights', () => {
  it('shows at epoch k exactly the weights stored for epoch k, cell by cell, whole and by region', async () => {
    for (const name of ['conv/kernel', 'dense/kernel', 'dense/bias']) {
      for (const epoch of [0, 3]) {
        const response = await api.call('inspect.weights', { runId, epoch, weight: name })
        const stored = loadTensor(api.context.db, runId, epoch, 'weight', response.position)
        expect(stored.name).toBe(name)
        const { matrix, layout } = response
        expect([matrix.blockRows, matrix.blockCols]).toEqual([1, 1])
        expect(matrix.rows * matrix.cols).toBe(stored.data.length)
        for (let r = 0; r < matrix.rows; r++) for (let c = 0; c < matrix.cols; c++) expect(matrix.data[r * matrix.cols + c]).toBe(storedAt(stored, coordsOf(layout.shape, r, c)))
      }
    }
    const conv = await api.call('inspect.weights', { runId, epoch: 2, weight: 'conv/kernel' })
    expect(conv.layout.rows).toBe(4)
    expect(conv.layout.cols).toBe(18)
    expect(conv.layout.description).toMatch(/4 rows = output channels; 18 columns = 2 input channels × 3×3 kernel/)

    // A zoomed-in region holds the same values as the whole.
    const region = await api.call('inspect.weights', { runId, epoch: 2, weight: 'conv/kernel', region: { row: 1, col: 5, rows: 2, cols: 7 } })
    for (let r = 0; r < 2; r++) for (let c = 0; c < 7; c++) expect(region.matrix.data[r * 7 + c]).toBe(conv.matrix.data[(1 + r) * 18 + 5 + c])

    // Pooled for display: each cell keeps the value of largest magnitude in its block.
    const pooled = await api.call('inspect.weights', { runId, epoch: 2, weight: 'conv/kernel', maxRows: 2, maxCols: 6 })
    expect([pooled.matrix.rows, pooled.matrix.cols, pooled.matrix.blockRows, pooled.matrix.blockCols]).toEqual([2, 6, 2, 3])
    const block = [0, 1].flatMap((r) => [0, 1, 2].map((c) => conv.matrix.data[r * 18 + c]))
    expect(Math.abs(pooled.matrix.data[0])).toBe(Math.max(...block.map(Math.abs)))
  })

  it('gives the exact value under the cursor at any zoom', async () => {
    const stored = loadTensor(api.context.db, runId, 4, 'weight', 0)
    const value = await api.call('inspect.weightValue', { runId, weight: 'conv/kernel', map: 'epoch', epoch: 4, row: 3, col: 13 })
    expect(value.index).toEqual(coordsOf(stored.shape, 3, 13))
    expect(value.value).toBe(storedAt(stored, value.index))
    await expect(api.dispatch('inspect.weightValue', { runId, weight: 'conv/kernel', map: 'epoch', row: 0, col: 0 })).rejects.toThrow(/epoch: map "epoch" needs the epoch/)
    await expect(api.dispatch('inspect.weightValue', { runId, weight: 'conv/kernel', map: 'epoch', epoch: 0, row: 4, col: 0 })).rejects.toThrow(/cell \(4, 0\) is outside the 4×18 weight matrix/)
  })

  it('names the weights and the region when they are wrong', async () => {
    await expect(api.dispatch('inspect.weights', { runId, epoch: 0, weight: 'conv/gamma' })).rejects.toThrow(/weight: the run has no weight "conv\/gamma"; its weights are 0: conv\/kernel, 1: conv\/bias/)
    await expect(api.dispatch('inspect.weights', { runId, epoch: 0, weight: 9 })).rejects.toThrow(/no weight at position 9/)
    await expect(api.dispatch('inspect.weights', { runId, epoch: 0, weight: 0, region: { row: 3, col: 0, rows: 2, cols: 1 } })).rejects.toThrow(/region rows 3\+2, cols 0\+1 is not inside the 4×18 matrix/)
  })
})

describe('a big layer', () => {
  it('is shown from a pyramid prepared when the epoch is stored, with the same values as the stored weights', async () => {
    const big = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1100], units: 1000, name: 'wide' })] })
    const bigRun = storeRun(api.context.db, big, 2, driftingWeights)
    const pyramids = () => (api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.pyramid' AND run_id = ?`).get(bigRun) as { n: number }).n
    expect(pyramids()).toBe(0)
    // What the host hears when a training job commits an epoch: the pyramid is prepared in the background.
    api.context.events.emit('runs.epoch', { runId: bigRun, metrics: { epoch: 1, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null } })
    await expect.poll(pyramids, { timeout: 20_000 }).toBe(1)

    const stored = loadTensor(api.context.db, bigRun, 1, 'weight', 0)
    const whole = await api.call('inspect.weights', { runId: bigRun, epoch: 1, weight: 'wide/kernel', maxRows: 100, maxCols: 100 })
    expect([whole.matrix.blockRows, whole.matrix.blockCols]).toEqual([12, 12])
    // Cell (3, 7) holds the largest-magnitude weight of rows 36..47 and columns 84..95.
    let best = 0
    for (let r = 36; r < 48; r++) for (let c = 84; c < 96; c++) if (Math.abs(storedAt(stored, [c, r])) > Math.abs(best)) best = storedAt(stored, [c, r])
    expect(whole.matrix.data[3 * whole.matrix.cols + 7]).toBe(best)
    expect(whole.matrix.max).toBe((stored.data as Float32Array).reduce((a, b) => Math.max(a, b), -Infinity))

    // Zoomed in to single weights: exact values from the stored tensor.
    const zoom = await api.call('inspect.weights', { runId: bigRun, epoch: 1, weight: 'wide/kernel', region: { row: 500, col: 1090, rows: 4, cols: 10 } })
    expect([zoom.matrix.blockRows, zoom.matrix.blockCols]).toEqual([1, 1])
    for (let r = 0; r < 4; r++) for (let c = 0; c < 10; c++) expect(zoom.matrix.data[r * 10 + c]).toBe(storedAt(stored, [1090 + c, 500 + r]))
    const value = await api.call('inspect.weightValue', { runId: bigRun, weight: 'wide/kernel', map: 'epoch', epoch: 1, row: 999, col: 1099 })
    expect(value.value).toBe(storedAt(stored, [1099, 999]))
  })
})

describe('inspect.weightStats and inspect.changeNorms', () => {
  it('gives per-weight mean and variance equal to a direct computation over every stored epoch', async () => {
    const stats = await api.call('inspect.weightStats', { runId, weight: 'dense/kernel', bins: 16 })
    expect(stats.epochs).toEqual([0, 1, 2, 3, 4])
    const epochs = stats.epochs.map((e) => loadTensor(api.context.db, runId, e, 'weight', stats.position))
    const [inputs, units] = epochs[0].shape
    expect([stats.mean.rows, stats.mean.cols]).toEqual([units, inputs])
    for (let r = 0; r < units; r++) {
      for (let c = 0; c < inputs; c++) {
        const values = epochs.map((t) => t.data[c * units + r])
        const mean = values.reduce((a, b) => a + b, 0) / values.length
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length
        expect(stats.mean.data[r * inputs + c]).toBeCloseTo(mean, 6)
        expect(stats.variance.data[r * inputs + c]).toBeCloseTo(variance, 8)
      }
    }
    // Histograms count every weight of every epoch; summaries carry the change norms.
    for (const h of stats.histograms) {
      expect(h.counts.length).toBe(16)
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(inputs * units)
    }
    expect(stats.summaries[0].changeNorm).toBeNull()
    const direct = Math.sqrt((epochs[2].data as Float32Array).reduce((s, v, i) => s + (v - epochs[1].data[i]) ** 2, 0))
    expect(stats.summaries[2].changeNorm).toBeCloseTo(direct, 5)

    // Downsampled and zoomed views read the same statistics; a cursor reads the exact cell.
    const zoom = await api.call('inspect.weightStats', { runId, weight: 'dense/kernel', bins: 16, region: { row: 2, col: 10, rows: 2, cols: 3 } })
    expect(Array.from(zoom.variance.data)).toEqual([0, 1].flatMap((r) => [0, 1, 2].map((c) => stats.variance.data[(2 + r) * inputs + 10 + c])))
    const value = await api.call('inspect.weightValue', { runId, weight: 'dense/kernel', map: 'mean', row: 4, col: 35 })
    expect(value.value).toBeCloseTo(stats.mean.data[4 * inputs + 35], 7)
  })

  it('caches the statistics in the workspace and recomputes them when more epochs are stored', async () => {
    const count = () => (api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.weightStats' AND run_id = ?`).get(runId) as { n: number }).n
    await api.dispatch('inspect.weightStats', { runId, weight: 'conv/bias' })
    const before = count()
    await api.dispatch('inspect.weightStats', { runId, weight: 'conv/bias' })
    expect(count()).toBe(before)

    const other = storeRun(api.context.db, smallModel(), 2, driftingWeights)
    const first = await api.call('inspect.weightStats', { runId: other, weight: 'conv/bias' })
    expect(first.epochs).toEqual([0, 1])
    const weights = loadTensors(api.context.db, other, 1, 'weight').map((t) => ({ ...t, data: Float32Array.from(t.data, (v) => v + 1) }))
    commitEpoch(api.context.db, other, { metrics: { epoch: 2, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, testLoss: null, testAccuracy: null, imagesPerSecond: null, durationMs: null }, batchLosses: null, weights, optimizer: [] })
    const second = await api.call('inspect.weightStats', { runId: other, weight: 'conv/bias' })
    expect(second.epochs).toEqual([0, 1, 2])
    // The stale entry of the shorter history is gone.
    expect((api.context.db.prepare(`SELECT count(*) AS n FROM analysis_cache WHERE kind = 'inspect.weightStats' AND run_id = ?`).get(other) as { n: number }).n).toBe(1)
  })

  it('gives every layer its change norm per epoch', async () => {
    const norms = await api.call('inspect.changeNorms', { runId })
    expect(norms.epochs).toEqual([0, 1, 2, 3, 4])
    expect(norms.layers.map((l) => l.name)).toEqual(['conv/kernel', 'conv/bias', 'dense/kernel', 'dense/bias'])
    for (const layer of norms.layers) {
      expect(Number.isNaN(layer.changeNorms[0])).toBe(true)
      for (let e = 1; e < EPOCHS; e++) {
        const a = loadTensor(api.context.db, runId, e, 'weight', layer.position).data as Float32Array
        const b = loadTensor(api.context.db, runId, e - 1, 'weight', layer.position).data
        const direct = Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0))
        expect(layer.changeNorms[e]).toBeCloseTo(direct, 4)
        // Biases start at zero: a change relative to a zero norm is undefined, not infinite.
        if (layer.norms[e - 1] === 0) expect(Number.isNaN(layer.relativeChanges[e])).toBe(true)
        else expect(layer.relativeChanges[e]).toBeCloseTo(direct / layer.norms[e - 1], 4)
      }
    }
  })
})
