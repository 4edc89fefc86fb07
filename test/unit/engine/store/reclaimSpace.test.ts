import { describe, expect, it } from 'vitest'
import type { WorkspaceDb } from '../../../../src-main/engine/store/database'
import { reclaimSpace } from '../../../../src-main/engine/store/runStore'

/** A database whose vacuum fails the way SQLite does on a full disk, after `okCalls` pragmas. */
function fullDiskDb(code: string, okCalls = 1): WorkspaceDb {
  let calls = 0
  return {
    pragma: () => {
      if (calls++ >= okCalls) throw Object.assign(new Error('database or disk is full'), { code })
      return []
    }
  } as unknown as WorkspaceDb
}

describe('reclaiming space after a run is deleted', () => {
  it('says the space will come back later when the disk is full, instead of failing the delete', () => {
    expect(reclaimSpace(fullDiskDb('SQLITE_FULL'))).toMatch(/disk is full.*reuses it/)
    expect(reclaimSpace(fullDiskDb('SQLITE_IOERR_WRITE', 0))).toMatch(/disk is full/)
  })

  it('still fails on other errors', () => {
    expect(() => reclaimSpace(fullDiskDb('SQLITE_CORRUPT'))).toThrow(/disk is full|database or disk/)
  })
})
