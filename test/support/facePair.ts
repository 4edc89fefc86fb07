import { join } from 'node:path'
import type { RunSummary, TrainConfigInput } from '../../src-shared/run'
import { generateSyntheticFaces } from '../../src-main/engine/data/synthFaces/generate'
import type { OpenApi } from '../../src-main/api/openApi'
import { openTestApi, tempDir } from './workspace'

export interface FacePair {
  api: OpenApi
  faces: string
  /** Run A is labelled Smiling, run B Male (seed 004's pair). */
  a: RunSummary
  b: RunSummary
}

/**
 * Synthetic faces and a real Smiling/Male run pair trained on them in a fresh workspace, the
 * way a user makes one (runs.startPair). Sized by the caller to fit the test's time budget.
 */
export async function trainFacePair(options: { count: number; size: number; epochs: number; model?: 'vgg11' | 'minimal'; batchNorm?: boolean; width?: number; lr?: number; seed?: number }): Promise<FacePair> {
  const root = tempDir('fl-pair-')
  const faces = join(root, 'faces')
  await generateSyntheticFaces(faces, { count: options.count, size: options.size, seed: options.seed ?? 7 })
  const api = openTestApi(join(root, 'workspace'))
  const config: TrainConfigInput = {
    dataset: faces,
    model: options.model === 'minimal' ? { name: 'minimal', widthMultiplier: options.width ?? 1 } : { name: 'vgg11', widthMultiplier: options.width ?? 0.25, batchNorm: options.batchNorm ?? false },
    epochs: options.epochs,
    batchSize: 16,
    learningRate: options.lr ?? 1e-4,
    seed: 42
  }
  const pair = await api.call('runs.startPair', { config, attributes: ['Smiling', 'Male'] })
  await api.context.jobs.whenIdle()
  const [a, b] = (await Promise.all(pair.runs.map((r) => api.dispatch('runs.get', { id: r.id })))) as [RunSummary, RunSummary]
  for (const run of [a, b]) {
    if (run.status !== 'completed') throw new Error(`training run ${run.id} ended ${run.status}: ${run.statusReason}`)
  }
  return { api, faces, a, b }
}
