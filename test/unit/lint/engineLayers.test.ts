// The lint config itself: a small in-memory file that breaks the engine's layer order must fail
// lint with the layer rule, and one that keeps it must pass.
import { ESLint } from 'eslint'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../../..')
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: resolve(root, 'eslint.config.js') })
})

/** The layer-rule messages for `code` linted as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) })
  const fatal = result.messages.filter((m) => m.fatal)
  expect(fatal.map((m) => m.message)).toEqual([])
  return result.messages.filter((m) => m.ruleId === 'layers/order' && m.severity === 2).map((m) => m.message)
}

describe('the engine layer order in eslint.config.js', () => {
  it('fails models importing analysis, a higher layer', async () => {
    const errors = await layerErrors('src-main/engine/models/probe.ts', `import { layerActivations } from '../analysis/core/layerActivations'\nexport const probe = layerActivations\n`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/engine\/models may not import engine\/analysis, a higher layer/)
    expect(errors[0]).toMatch(/LAYERS\.md/)
  })

  it('fails a store module importing models, also from a subfolder and as a type-only import', async () => {
    expect(await layerErrors('src-main/engine/store/probe.ts', `import type { ModelPlan } from '../models/layerPlan'\nexport type P = ModelPlan\n`)).toHaveLength(1)
    expect(await layerErrors('src-main/engine/store/sub/probe.ts', `export { planModel } from '../../models/registry'\n`)).toHaveLength(1)
  })

  it('fails a dynamic import of a higher layer', async () => {
    const errors = await layerErrors('src-main/engine/models/formats/probe.ts', `export async function f() {\n  return (await import('../../train/jobQueue')).JobQueue\n}\n`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/engine\/models may not import engine\/train/)
  })

  it('fails the engine importing api, cli or server', async () => {
    for (const target of ['../../api/context', '../../cli/commands/index', '../../server/webHost']) {
      const errors = await layerErrors('src-main/engine/data/probe.ts', `import * as x from '${target}'\nexport default x\n`)
      expect(errors, target).toHaveLength(1)
      expect(errors[0]).toMatch(/the engine never imports src-main\/(api|cli|server)/)
    }
  })

  it('fails an analysis folder importing a sibling of its own tier', async () => {
    const errors = await layerErrors('src-main/engine/analysis/featureMaps/probe.ts', `import { DescriptorTable } from '../earlyExit/strategies'\nexport const t = DescriptorTable\n`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/analysis\/featureMaps may not import analysis\/earlyExit/)
  })

  it('fails a folder that has no place in the order', async () => {
    const errors = await layerErrors('src-main/engine/somewhere/probe.ts', `import { ApiError } from '../../../src-shared/errors'\nimport { openDataset } from '../data/open'\nexport const x = [ApiError, openDataset]\n`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/has no place in the layer order/)
  })

  it('passes imports that follow the order', async () => {
    const code = [
      `import { ApiError } from '../../../../src-shared/errors'`,
      `import { buildModel } from '../../models/index'`,
      `import { openDataset } from '../../data/open'`,
      `import { TaskProgressTracker } from '../../tasks/taskControl'`,
      `import { layerActivations } from '../core/layerActivations'`,
      `import { architectureTable } from '../receptiveField/receptiveField'`,
      `export const all = [ApiError, buildModel, openDataset, TaskProgressTracker, layerActivations, architectureTable]`,
      ''
    ].join('\n')
    expect(await layerErrors('src-main/engine/analysis/featureMaps/probe.ts', code)).toEqual([])
    expect(await layerErrors('src-main/engine/train/probe.ts', `import { storeEpochPyramids } from '../analysis/weights/epochPyramids'\nexport const s = storeEpochPyramids\n`)).toEqual([])
  })

  it('leaves code outside the engine to its own rules', async () => {
    expect(await layerErrors('src-main/api/probe.ts', `import { JobQueue } from '../engine/train/jobQueue'\nexport const q = JobQueue\n`)).toEqual([])
  })
})
