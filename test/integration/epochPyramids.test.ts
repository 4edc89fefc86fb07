import { afterAll, describe, expect, it } from 'vitest'
import type { MatrixPyramid } from '../../src-main/engine/analysis/core/matrixPyramid'
import { viewFromPyramid } from '../../src-main/engine/analysis/core/matrixPyramid'
import { downsampleMatrix } from '../../src-main/engine/analysis/core/downsample'
import { pyramidKey } from '../../src-main/engine/analysis/weights/epochPyramids'
import { cachedAnalysis } from '../../src-main/engine/store/analysisCache'
import { listTensors, loadTensor } from '../../src-main/engine/store/epochStore'
import { openTestApi } from '../support/workspace'

const api = openTestApi()
afterAll(() => api.close())

describe('the training job stores big-layer pyramids with each epoch', () => {
  it('keeps a pyramid per stored epoch of a 1024×1024 dense kernel, equal to pooling the stored weights', async () => {
    // The 3-layer dense net at 8× width on 32-px MNIST: its first kernel is 1024 inputs × 1024 units.
    const run = await api.call('runs.start', { config: { dataset: 'mnist', model: { name: 'fcnn3', widthMultiplier: 8, inputSize: 32 }, epochs: 1, limit: 200, batchSize: 50 } })
    await api.context.jobs.whenIdle()
    const done = await api.call('runs.get', { id: run.id })
    expect(done.status).toBe('completed')
    const db = api.context.db
    for (const epoch of [0, 1]) {
      const big = listTensors(db, run.id, epoch, 'weight').filter((t) => t.shape.reduce((a, b) => a * b, 1) >= 1 << 20)
      expect(big.map((t) => t.shape)).toEqual([[1024, 1024]])
      const pyramid = cachedAnalysis<MatrixPyramid>(db, pyramidKey(db, run.id, epoch, big[0].position))
      expect(pyramid).not.toBeNull()
      // A dense kernel [in, out] is shown as out rows × in columns: pool the transpose directly.
      const stored = loadTensor(db, run.id, epoch, 'weight', big[0].position).data as Float32Array
      const matrix = new Float32Array(1024 * 1024)
      for (let i = 0; i < 1024; i++) for (let o = 0; o < 1024; o++) matrix[o * 1024 + i] = stored[i * 1024 + o]
      const options = { maxRows: 128, maxCols: 128, mode: 'maxabs' as const }
      const fromPyramid = viewFromPyramid(pyramid!, options)
      expect(fromPyramid).not.toBeNull()
      const direct = downsampleMatrix(matrix, 1024, 1024, options)
      expect([fromPyramid!.rows, fromPyramid!.cols]).toEqual([direct.rows, direct.cols])
      expect(Array.from(fromPyramid!.data)).toEqual(Array.from(direct.data))
    }
  }, 300_000)
})
