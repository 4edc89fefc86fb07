import type { PointingResponse, Verdict } from '../../../src-shared/explain'
import { attributionInfo } from '../../../src-shared/explain'

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`
const num = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(2))

function verdictLines(title: string, verdicts: Verdict[]): string[] {
  if (verdicts.length === 0) return []
  return [`${title} (${verdicts[0].threshold})`, ...verdicts.map((v) => `  ${v.verdict.toUpperCase()}: ${v.claim}. ${v.sentence}`)]
}

/** The pointing figures as text: each region's shares and lift with its interval, the verdicts, and the paired comparison. */
export function pointingText(r: PointingResponse): string[] {
  const lines = [
    `pointing figures of run ${r.runId} (trained on ${r.attribute ?? 'classes'}), epoch ${r.epoch}, ${r.images} ${r.split} images (seed ${r.seed}); Grad-CAM at ${r.layer}, occlusion square ${r.patch} px, stride ${r.stride}`,
    `lift = share of the map's positive mass ÷ the region's share of the image (1: no preference), with its ${r.level * 100} % interval from ${r.replicates} resamples of the images; * marks a lift whose whole interval lies above 1`,
    'method                   region         area share      share of positive mass   lift (95 % CI)'
  ]
  for (const m of r.methods) {
    const label = attributionInfo[m.method].label
    for (const g of m.regions) {
      const lift = g.lift ? `${num(g.lift.value)} (${num(g.lift.low)}–${num(g.lift.high)})${g.lift.low > 1 ? ' *' : ''}` : '–'
      lines.push(`${label.padEnd(24)} ${g.attribute.padEnd(14)} ${`${pct(g.area.mean)} ± ${pct(g.area.std)}`.padEnd(15)} ${`${pct(g.share.mean)} ± ${pct(g.share.std)}`.padEnd(24)} ${lift}`)
    }
    if (m.empty) lines.push(`${label.padEnd(24)} ${m.empty} image(s) left out: the map had no positive mass`)
  }
  for (const n of r.regionNotes) lines.push(n.note)
  lines.push(...verdictLines('Does the model look at its own attribute’s region?', r.verdicts))
  if (r.paired) {
    const p = r.paired
    lines.push(`Compared with run ${p.runId} ("${p.name}", trained on ${p.attribute ?? 'classes'}, epoch ${p.epoch}) on the same images:`)
    for (const m of p.methods) for (const g of m.regions) lines.push(`  ${g.sentence}`)
    lines.push(...verdictLines('Which model looks more at its own attribute’s region?', p.verdicts))
  } else if (r.pairedNote) lines.push(r.pairedNote)
  return lines
}
