import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openWorkspaceDb } from '../../../../src-main/engine/store/database'
import { recentDatasets, rememberDataset } from '../../../../src-main/engine/store/recentDatasets'
import { tempDir } from '../../../support/workspace'

describe('recent datasets', () => {
  it('lists the datasets opened, most recent first, once each, up to the limit', async () => {
    const db = openWorkspaceDb(join(tempDir('fl-rd-'), 'featurelens.sqlite'))
    expect(recentDatasets(db)).toEqual([])
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5))
    rememberDataset(db, { path: '/data/faces', name: 'faces', format: 'celeba' })
    await pause()
    rememberDataset(db, { path: '/data/digits', name: 'digits', format: 'idx' })
    await pause()
    rememberDataset(db, { path: '/data/faces', name: 'faces again', format: 'celeba' })
    const recent = recentDatasets(db)
    expect(recent.map((d) => [d.path, d.name, d.format])).toEqual([
      ['/data/faces', 'faces again', 'celeba'],
      ['/data/digits', 'digits', 'idx']
    ])
    expect(Number.isNaN(Date.parse(recent[0].openedAt))).toBe(false)
    expect(recentDatasets(db, 1)).toHaveLength(1)
    db.close()
  })
})
