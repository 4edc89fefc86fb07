/**
 * What pointing figures mean, with their uncertainty: each region's lift (mean share of the
 * map's positive mass ÷ mean share of the image; 1 = no preference) with a 95 % percentile
 * bootstrap interval over the images, the paired difference between two runs on the same
 * images with a sign-flip test, and one verdict per claim.
 */
import { attributionInfo, type Estimate, type PairedRegion, type PointingMethod, type Verdict } from '../../../../src-shared/explain'
import { bootstrap, ratioAt, signFlipTest } from '../core/bootstrap'
import type { PointingRegionValues } from './pointing'

export const POINTING_LEVEL = 0.95
export const POINTING_REPLICATES = 2000
// One seed for every interval, so two statistics of the same images are resampled alike (paired).
const SEED = 0

export const LIFT_THRESHOLD = 'Supported when the whole 95 % interval of the lift lies above 1 (1 means the map prefers the region no more than its area); not supported when it lies below 1; inconclusive when it includes 1.'
export const DIFFERENCE_THRESHOLD = 'Supported when the whole 95 % interval of the difference in lift lies above 0; not supported when it lies below 0; inconclusive when it includes 0. The sign-flip test’s p-value is given alongside.'

/** A number as people read it: two significant figures below 10, whole numbers above. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–'
  const a = Math.abs(v)
  const text = a >= 10 ? a.toFixed(0) : a === 0 ? '0' : a.toPrecision(2)
  return v < 0 ? `−${text}` : text
}

/** An interval as people read it: 1.2–3.4, or −0.15 to 1.5 when an end is negative. */
export const interval = (e: Pick<Estimate, 'low' | 'high'>): string => (e.low < 0 ? `${fmt(e.low)} to ${fmt(e.high)}` : `${fmt(e.low)}–${fmt(e.high)}`)
const pValue = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toPrecision(2)}`)

/** Indices of the images where every given share is defined (the map had positive mass). */
function countedImages(...shares: (number | null)[][]): number[] {
  return shares[0].flatMap((_, i) => (shares.every((s) => s[i] !== null) ? [i] : []))
}

function finite(e: Estimate): Estimate | null {
  return Number.isFinite(e.value) && Number.isFinite(e.low) && Number.isFinite(e.high) ? e : null
}

/** The lift of a region over the images whose map had positive mass, with its bootstrap interval. */
export function regionLift(region: PointingRegionValues): { lift: Estimate | null; counted: number } {
  const images = countedImages(region.shares)
  const shares = images.map((i) => region.shares[i]!)
  const areas = images.map((i) => region.areas[i])
  const lift = bootstrap(images.length, (idx) => ratioAt(shares, areas, idx), { seed: SEED, replicates: POINTING_REPLICATES, level: POINTING_LEVEL })
  return { lift: finite(lift), counted: images.length }
}

/** The model of a run as a sentence names it: "the Smiling model", or the run's name. */
export function modelName(attribute: string | null, name: string): string {
  return attribute ? `the ${attribute} model` : `the model of run "${name}"`
}

const upper = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** Verdict of "the model's map points at its own attribute's region" from the lift's interval. */
export function liftVerdict(model: string, method: PointingMethod, region: string, lift: Estimate | null, images: number): Verdict {
  const label = attributionInfo[method].label
  const claim = `${upper(model)}'s ${label} map points at the ${region} region more than its area would predict`
  if (!lift) return { claim, verdict: 'inconclusive', sentence: `Inconclusive: no ${label} map had positive mass on an image where the ${region} region is drawn; more images would settle it.`, threshold: LIFT_THRESHOLD }
  const numbers = `${label} lift on the ${region} region is ${fmt(lift.value)} (95 % CI ${interval(lift)}, ${images} images)`
  if (lift.low > 1) return { claim, verdict: 'supported', sentence: `Supported: ${model}'s ${numbers}, above 1 over the whole interval.`, threshold: LIFT_THRESHOLD }
  if (lift.high < 1) return { claim, verdict: 'not supported', sentence: `Not supported: ${model}'s ${numbers}, below 1: the map puts less of its mass there than the region's share of the image.`, threshold: LIFT_THRESHOLD }
  return { claim, verdict: 'inconclusive', sentence: `Inconclusive at this sample size: ${model}'s ${numbers}, an interval that includes 1; more images would settle it.`, threshold: LIFT_THRESHOLD }
}

/** The paired comparison of one region and method: two runs' maps of the same images. */
export function pairedRegion(own: PointingRegionValues, other: PointingRegionValues, method: PointingMethod, names: { own: string; other: string }): PairedRegion | null {
  const images = countedImages(own.shares, other.shares)
  if (images.length === 0) return null
  const a = images.map((i) => own.shares[i]!)
  const b = images.map((i) => other.shares[i]!)
  const areas = images.map((i) => own.areas[i])
  const options = { seed: SEED, replicates: POINTING_REPLICATES, level: POINTING_LEVEL }
  const lift = finite(bootstrap(images.length, (idx) => ratioAt(a, areas, idx), options))
  const otherLift = finite(bootstrap(images.length, (idx) => ratioAt(b, areas, idx), options))
  const difference = finite(bootstrap(images.length, (idx) => ratioAt(a, areas, idx) - ratioAt(b, areas, idx), options))
  if (!lift || !otherLift || !difference) return null
  const p = signFlipTest(a.map((v, i) => v - b[i]), { seed: SEED })
  const label = attributionInfo[method].label
  const region = own.attribute
  // The difference is told from the side of the model that looks more, so it reads as a positive number.
  const otherMore = difference.high < 0
  const told = otherMore ? { value: -difference.value, low: -difference.high, high: -difference.low } : difference
  const which = difference.low > 0 ? `${names.own} looks at the ${region} region more` : otherMore ? `${names.other} looks at the ${region} region more` : 'no clear difference between them'
  const sentence = `On the ${region} region, ${names.own}'s ${label} lift is ${fmt(lift.value)} (95 % CI ${interval(lift)}) and ${names.other}'s ${fmt(otherLift.value)} (${interval(otherLift)}): ${which} (difference ${fmt(told.value)}, CI ${interval(told)}, ${pValue(p)}, ${images.length} images).`
  return { attribute: region, images: images.length, lift, otherLift, difference, p, sentence }
}

/** Verdict of "`first` looks at `region` more than `second` does", where `difference` is first − second. */
export function differenceVerdict(first: string, second: string, method: PointingMethod, r: PairedRegion, difference: Estimate, p: number): Verdict {
  const label = attributionInfo[method].label
  const claim = `${upper(first)} looks at the ${r.attribute} region more than ${second} does (${label})`
  const numbers = `difference in ${label} lift ${fmt(difference.value)} (95 % CI ${interval(difference)}, ${pValue(p)}, ${r.images} images)`
  if (difference.low > 0) return { claim, verdict: 'supported', sentence: `Supported: ${numbers}, above 0 over the whole interval.`, threshold: DIFFERENCE_THRESHOLD }
  if (difference.high < 0) return { claim, verdict: 'not supported', sentence: `Not supported: ${numbers}: ${second} looks there more.`, threshold: DIFFERENCE_THRESHOLD }
  return { claim, verdict: 'inconclusive', sentence: `Inconclusive at this sample size: ${numbers}, an interval that includes 0; more images would settle it.`, threshold: DIFFERENCE_THRESHOLD }
}
