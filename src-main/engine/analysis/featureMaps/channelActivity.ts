/**
 * Dead and always-on channels (seed 003): over a sample of images, the fraction of images on
 * which a channel's feature map is near zero everywhere (dead) or away from zero everywhere
 * (always on). Meant for post-activation maps (ReLU and kin), where zero means "not firing".
 */
import { ApiError } from '../../../../src-shared/errors'
import type { FloatArray } from '../core/matrix'

export type ChannelStatus = 'dead' | 'always_on' | 'normal'

export const PRUNE_HINT = 'candidate for pruning'
export const WIDEN_HINT = 'layer may want more width'

export interface ChannelActivity {
  channel: number
  /** Fraction of images on which every position has |F| ≤ tolerance. */
  deadFraction: number
  /** Fraction of images on which every position has |F| > tolerance. */
  alwaysOnFraction: number
  status: ChannelStatus
  /** PRUNE_HINT for dead channels, WIDEN_HINT for always-on ones, null otherwise. */
  hint: string | null
}

export interface ChannelActivityReport {
  images: number
  /** The |F| threshold actually used for "near zero". */
  tolerance: number
  flagFraction: number
  channels: ChannelActivity[]
  /** Only the dead and always-on channels, dead first. */
  flagged: ChannelActivity[]
  deadCount: number
  alwaysOnCount: number
}

export interface ChannelActivityOptions {
  /** Absolute |F| threshold for "near zero". Defaults to relativeTolerance × the largest |F| in the sample. */
  tolerance?: number
  /** Default 0.01: a position counts as zero below 1% of the layer's peak activation. */
  relativeTolerance?: number
  /** A channel is flagged when at least this fraction of images is dead (or always on). Default 0.9. */
  flagFraction?: number
}

/**
 * Accumulates, per image and channel, the largest and smallest |F| over the map. That is all
 * the final decision needs, so the tolerance can be relative to the whole sample's peak and
 * images can be fed one batch at a time.
 */
export class ChannelActivityAccumulator {
  private readonly maxAbs: number[][] = []
  private readonly minAbs: number[][] = []
  private peak = 0

  constructor(readonly channels: number) {
    if (!Number.isInteger(channels) || channels < 1) throw new ApiError('bad_input', `channel count must be a positive integer, got ${channels}`)
  }

  get images(): number {
    return this.maxAbs.length
  }

  /** Feeds one map [H, W, C] or a batch [N, H, W, C] (channels last). */
  add(data: FloatArray, shape: readonly number[]): void {
    if ((shape.length !== 3 && shape.length !== 4) || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ApiError('bad_input', `feature maps must have shape [H, W, C] or [N, H, W, C], got [${shape.join(', ')}]`)
    }
    const [n, h, w, c] = shape.length === 3 ? [1, ...shape] : shape
    if (c !== this.channels) throw new ApiError('bad_input', `feature maps have ${c} channels but this layer has ${this.channels}`)
    if (data.length !== n * h * w * c) throw new ApiError('bad_input', `${data.length} values do not match shape [${shape.join(', ')}]`)
    const positions = h * w
    for (let i = 0; i < n; i++) {
      const hi = new Float64Array(c)
      const lo = new Float64Array(c).fill(Infinity)
      const offset = i * positions * c
      for (let p = 0; p < positions; p++) {
        const base = offset + p * c
        for (let ch = 0; ch < c; ch++) {
          const a = Math.abs(data[base + ch])
          if (a > hi[ch]) hi[ch] = a
          if (a < lo[ch]) lo[ch] = a
        }
      }
      for (let ch = 0; ch < c; ch++) if (hi[ch] > this.peak) this.peak = hi[ch]
      this.maxAbs.push(Array.from(hi))
      this.minAbs.push(Array.from(lo))
    }
  }

  report(options: ChannelActivityOptions = {}): ChannelActivityReport {
    if (this.images === 0) throw new ApiError('bad_input', 'channel activity needs at least one image')
    const flagFraction = options.flagFraction ?? 0.9
    if (!(flagFraction > 0 && flagFraction <= 1)) throw new ApiError('bad_input', `flagFraction must be in (0, 1], got ${flagFraction}`)
    const tolerance = options.tolerance ?? (options.relativeTolerance ?? 0.01) * this.peak
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new ApiError('bad_input', `tolerance must be a finite number ≥ 0, got ${tolerance}`)
    const channels: ChannelActivity[] = []
    for (let ch = 0; ch < this.channels; ch++) {
      let dead = 0
      let on = 0
      for (let i = 0; i < this.images; i++) {
        if (this.maxAbs[i][ch] <= tolerance) dead++
        else if (this.minAbs[i][ch] > tolerance) on++
      }
      const deadFraction = dead / this.images
      const alwaysOnFraction = on / this.images
      const status: ChannelStatus = deadFraction >= flagFraction ? 'dead' : alwaysOnFraction >= flagFraction ? 'always_on' : 'normal'
      channels.push({ channel: ch, deadFraction, alwaysOnFraction, status, hint: status === 'dead' ? PRUNE_HINT : status === 'always_on' ? WIDEN_HINT : null })
    }
    const dead = channels.filter((c) => c.status === 'dead')
    const alwaysOn = channels.filter((c) => c.status === 'always_on')
    return { images: this.images, tolerance, flagFraction, channels, flagged: [...dead, ...alwaysOn], deadCount: dead.length, alwaysOnCount: alwaysOn.length }
  }
}

/** Channel activity of one batch [N, H, W, C] in one call. */
export function channelActivity(data: FloatArray, shape: readonly number[], options: ChannelActivityOptions = {}): ChannelActivityReport {
  const acc = new ChannelActivityAccumulator(shape[shape.length - 1])
  acc.add(data, shape)
  return acc.report(options)
}
