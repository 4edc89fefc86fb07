/**
 * Seeded pseudo-random numbers. Everything that orders, samples or draws data takes a seed,
 * so the same seed gives the same split, batch order and synthetic images on every machine.
 */

export type Random = () => number

/** Mixes a seed (and optional stream ids) into 32 bits, so nearby seeds give unrelated streams. */
export function hashSeed(seed: number, ...streams: number[]): number {
  let h = 0x9e3779b9 ^ Math.imul(seed | 0, 0x85ebca6b)
  h = Math.imul(h ^ (Math.floor(seed / 0x100000000) | 0), 0xc2b2ae35)
  for (const s of streams) {
    h ^= Math.imul(s | 0, 0x27d4eb2f) + 0x165667b1
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** sfc32: small, fast, and passes PractRand far beyond what shuffling datasets needs. */
export function createRandom(seed: number, ...streams: number[]): Random {
  let a = hashSeed(seed, ...streams, 1)
  let b = hashSeed(seed, ...streams, 2)
  let c = hashSeed(seed, ...streams, 3)
  let d = 1
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  return next
}

/** A whole number in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n)
}

/** A uniform number in [lo, hi). */
export function uniform(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random()
}

/** A standard normal sample (Box–Muller). */
export function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** Fisher–Yates in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(values: T, random: Random): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1)
    const tmp = values[i]
    values[i] = values[j]
    values[j] = tmp
  }
  return values
}
