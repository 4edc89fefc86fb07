/**
 * Pointing figures of a synthetic-faces run over a sample of its images (cached per run, epoch
 * and settings), their lifts with intervals and verdicts, and the paired comparison with the
 * other run of its pair (or the run asked for) on the same images.
 */
import { ApiError } from '../../../../src-shared/errors'
import type { PointingPaired, PointingRequest, PointingResponse, Verdict } from '../../../../src-shared/explain'
import type { RunSummary } from '../../../../src-shared/run'
import { shuffledIndices } from '../../data/splits'
import { withAnalysisCache } from '../../store/analysisCache'
import { epochStamp } from '../../store/epochStamps'
import { listRuns } from '../../store/runStore'
import type { TaskControl } from '../../tasks/taskControl'
import { modelImageShape } from '../core/imageInput'
import { defaultSplit } from '../core/imageSample'
import { chosenEpoch, runWithEpochs, withOwnRunModel, type RunWorkspace } from '../core/runAccess'
import { evidenceAttributes, evidenceMasks } from './evidenceRegions'
import { explainDefaults } from './explainDefaults'
import { runDataset } from './explainedImage'
import { pointingFigures, spread, type PointingFigures } from './pointing'
import { differenceVerdict, liftVerdict, modelName, pairedRegion, POINTING_LEVEL, POINTING_REPLICATES, regionLift } from './pointingStats'

/** What is measured once per run and cached: the per-image shares behind every figure. */
interface PointingMeasure {
  run: RunSummary
  epoch: number
  split: PointingResponse['split']
  indices: number[]
  layer: string
  patch: number
  stride: number
  figures: PointingFigures
}

type Settings = Pick<PointingRequest, 'split' | 'count' | 'seed' | 'methods' | 'layer' | 'patch' | 'stride'>

async function measure(ws: RunWorkspace, runId: string, requestedEpoch: number | undefined, settings: Settings, control: TaskControl): Promise<{ measure: PointingMeasure; cached: boolean }> {
  const { run, epochs } = runWithEpochs(ws, runId)
  const epoch = chosenEpoch(epochs, requestedEpoch)
  const dataset = await runDataset(ws, run)
  if (evidenceAttributes(dataset).length === 0) {
    throw new ApiError('bad_input', `${run.config.dataset} has no evidence regions; pointing figures need the synthetic faces (featurelens dataset synth-faces), whose generator records where each attribute is drawn`)
  }
  const split = settings.split ?? defaultSplit(dataset)
  if (!dataset.has(split)) throw new ApiError('invalid_request', `split: the dataset has no "${split}" split; it has ${dataset.splitNames.join(', ')}`)
  const defaults = explainDefaults(await ws.models.get(ws.db, runId, epoch))
  const patch = settings.patch ?? defaults.occlusion.patch
  const stride = settings.stride ?? defaults.occlusion.stride
  const layer = settings.layer ?? defaults.gradcamLayer
  const key = `explain.pointing:3:${epochStamp(ws.db, runId, epoch)}:${split}:${settings.count}:${settings.seed}:${settings.methods.join(',')}:${layer}:${patch}:${stride}`
  let fresh = false
  const stored = await withAnalysisCache(ws.db, key, 'explain.pointing', [runId, null], () =>
    withOwnRunModel(ws, runId, epoch, async ({ model }) => {
      fresh = true
      const shape = modelImageShape(model)
      const view = dataset.split(split)
      const chosen = shuffledIndices(view.count, settings.seed).slice(0, Math.min(settings.count, view.count))
      const batch = await view.readBatch(chosen, shape)
      if (batch.indices.length === 0) throw new ApiError('bad_input', `none of the ${chosen.length} chosen ${split} images could be decoded (first failure: ${batch.failed[0]?.file ?? '?'})`)
      const masks = await evidenceMasks(dataset, split, batch.indices, shape.height, shape.width)
      if (!masks) throw new ApiError('bad_input', `the evidence masks of ${run.config.dataset} cannot be read; regenerate the synthetic faces`)
      const options = { methods: settings.methods, layers: { gradcam: layer, occlusion: defaults.occlusionLayer }, attribution: { patch, stride, fill: defaults.occlusion.fill } }
      const figures = await pointingFigures(model, { x: batch.x, labels: batch.labels, shape, masks }, options, control)
      return { indices: Array.from(batch.indices), figures }
    })
  )
  return { measure: { run, epoch, split, layer, patch, stride, ...stored }, cached: !fresh }
}

const attributeOf = (run: RunSummary): string | null => (run.config.label.kind === 'attribute' ? run.config.label.attribute : null)

/** The run to compare with: the one asked for, else the other run of this run's pair; or why there is none. */
function partnerOf(ws: RunWorkspace, run: RunSummary, requested: string | null | undefined): { run: RunSummary | null; note: string | null } {
  if (requested === null) return { run: null, note: 'No comparison was asked for.' }
  if (requested !== undefined) {
    if (requested === run.id) throw new ApiError('invalid_request', `with: "${requested}" is the run itself; choose another run trained on the same images`)
    return { run: runWithEpochs(ws, requested).run, note: null }
  }
  const partner = run.pairId ? listRuns(ws.db).find((r) => r.pairId === run.pairId && r.id !== run.id) : undefined
  if (!partner) return { run: null, note: 'This run is not one of a pair; give another run trained on the same images to compare the two on the same images.' }
  return { run: partner, note: null }
}

function paired(own: PointingMeasure, other: PointingMeasure): PointingPaired {
  const names = { own: modelName(attributeOf(own.run), own.run.name), other: modelName(attributeOf(other.run), other.run.name) }
  // The same images in the same order: both runs read the same split with the same seed.
  const position = new Map(other.indices.map((index, i) => [index, i]))
  const common = own.indices.flatMap((index, i) => (position.has(index) ? [[i, position.get(index)!]] : []))
  const verdicts: Verdict[] = []
  const methods = own.figures.methods.flatMap((m) => {
    const o = other.figures.methods.find((x) => x.method === m.method)
    if (!o) return []
    const regions = m.regions.flatMap((r) => {
      const s = o.regions.find((x) => x.attribute === r.attribute)
      if (!s) return []
      const pick = <T>(values: T[], side: 0 | 1): T[] => common.map((c) => values[c[side]])
      const result = pairedRegion({ ...r, shares: pick(r.shares, 0), areas: pick(r.areas, 0) }, { ...s, shares: pick(s.shares, 1), areas: pick(s.areas, 1) }, m.method, names)
      return result ? [result] : []
    })
    for (const r of regions) {
      const negated = { value: -r.difference.value, low: -r.difference.high, high: -r.difference.low }
      if (r.attribute === attributeOf(own.run)) verdicts.push(differenceVerdict(names.own, names.other, m.method, r, r.difference, r.p))
      else if (r.attribute === attributeOf(other.run)) verdicts.push(differenceVerdict(names.other, names.own, m.method, r, negated, r.p))
    }
    return [{ method: m.method, regions }]
  })
  return { runId: other.run.id, name: other.run.name, attribute: attributeOf(other.run), epoch: other.epoch, methods, verdicts }
}

/** Pointing figures of every requested method, their lifts and verdicts, and the paired comparison. */
export async function explainPointing(ws: RunWorkspace, request: PointingRequest, control: TaskControl = {}): Promise<PointingResponse> {
  const { measure: own, cached } = await measure(ws, request.runId, request.epoch, request, control)
  const attribute = attributeOf(own.run)
  const model = modelName(attribute, own.run.name)
  const verdicts: Verdict[] = []
  const methods = own.figures.methods.map((m) => ({
    method: m.method,
    empty: m.empty,
    regions: m.regions.map((r) => {
      const counted = r.shares.flatMap((s, i) => (s === null ? [] : [{ share: s, area: r.areas[i] }]))
      const { lift } = regionLift(r)
      if (r.attribute === attribute) verdicts.push(liftVerdict(model, m.method, r.attribute, lift, counted.length))
      return { ...r, area: spread(counted.map((c) => c.area)), share: spread(counted.map((c) => c.share)), lift, counted: counted.length }
    })
  }))
  const partner = partnerOf(ws, own.run, request.with)
  let pairing: PointingPaired | null = null
  let pairedNote = partner.note
  if (partner.run) {
    if (partner.run.config.dataset !== own.run.config.dataset) {
      pairedNote = `Run "${partner.run.name}" was trained on ${partner.run.config.dataset}, not on ${own.run.config.dataset}, so the two cannot be compared on the same images.`
    } else {
      const epochs = runWithEpochs(ws, partner.run.id).epochs
      const epoch = epochs.includes(own.epoch) ? own.epoch : undefined
      const other = await measure(ws, partner.run.id, epoch, { ...request, split: own.split }, control)
      pairing = paired(own, other.measure)
    }
  }
  return {
    runId: own.run.id,
    name: own.run.name,
    epoch: own.epoch,
    attribute,
    split: own.split,
    seed: request.seed,
    images: own.figures.images,
    indices: own.indices,
    layer: own.layer,
    patch: own.patch,
    stride: own.stride,
    methods,
    regionNotes: own.figures.regionNotes,
    level: POINTING_LEVEL,
    replicates: POINTING_REPLICATES,
    verdicts,
    paired: pairing,
    pairedNote,
    cached
  }
}
