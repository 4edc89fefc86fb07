import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { TrainConfig } from '../../src-shared/run'
import { initBackend } from '../../src-main/engine/backend/select'
import { generateSyntheticFaces } from '../../src-main/engine/data/synth-faces/generate'
import { openWorkspaceDb } from '../../src-main/engine/store/database'
import { buildModel } from '../../src-main/engine/models/buildModel'
import { driftingWeights, storeRun } from './storedRun'
import { tempDir } from './workspace'

/**
 * A workspace with a Smiling and a Male run of a narrow VGG-11 on synthetic faces, `epochs`
 * stored epochs each (drifting weights, no training): enough for a CKA-across-epochs analysis
 * that runs for many seconds on two cores.
 */
export async function workspaceForLongAnalysis(options: { faces?: number; epochs?: number } = {}): Promise<{ workspace: string; a: string; b: string }> {
  await initBackend()
  const root = tempDir('fl-long-')
  const faces = join(root, 'faces')
  await generateSyntheticFaces(faces, { count: options.faces ?? 300, size: 32, seed: 7 })
  const workspace = join(root, 'workspace')
  mkdirSync(workspace)
  const db = openWorkspaceDb(join(workspace, 'featurelens.sqlite'))
  const ids: string[] = []
  for (const attribute of ['Smiling', 'Male']) {
    const config = TrainConfig.parse({ dataset: faces, model: { name: 'vgg11', widthMultiplier: 0.25 }, label: { kind: 'attribute', attribute }, epochs: (options.epochs ?? 6) - 1, seed: 42 })
    const model = await buildModel(config.model, { height: 32, width: 32, channels: 3 }, 2, 'softmax', 42)
    ids.push(storeRun(db, model, options.epochs ?? 6, driftingWeights, config))
  }
  db.close()
  return { workspace, a: ids[0], b: ids[1] }
}
