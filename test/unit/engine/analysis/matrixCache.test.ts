import { describe, expect, it } from 'vitest'
import { MatrixCache } from '../../../../src-main/engine/analysis/core/matrixCache'

describe('the matrix cache', () => {
  it('computes a key once, shares it between concurrent callers, and evicts the least recently used', async () => {
    const cache = new MatrixCache<Float32Array>(2 * 4 * 100)
    let computed = 0
    const make = () => {
      computed++
      return new Float32Array(100)
    }
    const [a1, a2] = await Promise.all([cache.get('a', make), cache.get('a', make)])
    expect(a1).toBe(a2)
    await cache.get('b', make)
    await cache.get('a', make)
    await cache.get('c', make)
    expect(computed).toBe(3)
    await cache.get('a', make)
    expect(computed).toBe(3)
    await cache.get('b', make)
    expect(computed).toBe(4)
    await expect(cache.get('bad', () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    await cache.get('bad', make)
    expect(computed).toBe(5)
  })
})
