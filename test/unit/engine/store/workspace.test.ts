import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openApi } from '../../../../src-main/api/openApi'
import { resolveWorkspace, userDataDir } from '../../../../src-main/engine/store/workspace'
import { tempDir } from '../../../support/workspace'

const modeOf = (path: string): number => statSync(path).mode & 0o777

describe('workspace location', () => {
  it('takes --workspace first, then FEATURELENS_WORKSPACE, then the user-data directory', () => {
    const env = { FEATURELENS_WORKSPACE: '/tmp/from-env', XDG_CONFIG_HOME: '/tmp/cfg' }
    expect(resolveWorkspace('/tmp/from-flag', env)).toMatchObject({ dir: '/tmp/from-flag', source: 'flag' })
    expect(resolveWorkspace(null, env)).toMatchObject({ dir: '/tmp/from-env', source: 'env' })
    const fallback = resolveWorkspace(null, { XDG_CONFIG_HOME: '/tmp/cfg' })
    expect(fallback.source).toBe('user-data')
    expect(fallback.dir).toBe(join('/tmp/cfg', 'Featurelens', 'workspace'))
    expect(fallback.database).toBe(join(fallback.dir, 'featurelens.sqlite'))
  })

  it('resolves a relative --workspace against the current directory', () => {
    expect(resolveWorkspace('rel/ws', {}).dir).toBe(resolve('rel/ws'))
  })

  it('matches Electron userData naming per platform', () => {
    expect(userDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Featurelens')
    expect(userDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('Featurelens')
  })
})

describe.skipIf(process.platform === 'win32')('workspace permissions', () => {
  it('creates the workspace folder private to the user (0700) and its database files 0600', () => {
    const dir = join(tempDir('fl-perm-'), 'new', 'workspace')
    const api = openApi({ workspace: dir, shell: 'web' })
    try {
      api.context.db.prepare('CREATE TABLE IF NOT EXISTS probe (x)').run()
      expect(modeOf(dir).toString(8)).toBe('700')
      for (const file of ['featurelens.sqlite', 'featurelens.sqlite-wal', 'featurelens.sqlite-shm']) expect(modeOf(join(dir, file)).toString(8), file).toBe('600')
    } finally {
      api.close()
    }
  })

  it('makes the database files of an existing workspace 0600 when it opens them', () => {
    const dir = tempDir('fl-perm-old-')
    openApi({ workspace: dir, shell: 'web' }).close()
    chmodSync(join(dir, 'featurelens.sqlite'), 0o644)
    const api = openApi({ workspace: dir, shell: 'web' })
    try {
      expect(modeOf(join(dir, 'featurelens.sqlite')).toString(8)).toBe('600')
      expect(modeOf(join(dir, 'featurelens.sqlite-wal')).toString(8)).toBe('600')
    } finally {
      api.close()
    }
  })

  it('leaves the mode of a folder the user chose alone, but tightens the default one it made', () => {
    const chosen = tempDir('fl-perm-chosen-')
    chmodSync(chosen, 0o755)
    openApi({ workspace: chosen, shell: 'web' }).close()
    expect(modeOf(chosen).toString(8)).toBe('755')
    const config = tempDir('fl-perm-config-')
    const old = join(config, 'Featurelens', 'workspace')
    mkdirSync(old, { recursive: true, mode: 0o755 })
    writeFileSync(join(old, 'featurelens.sqlite'), '')
    const previous = process.env.XDG_CONFIG_HOME
    const previousWs = process.env.FEATURELENS_WORKSPACE
    process.env.XDG_CONFIG_HOME = config
    delete process.env.FEATURELENS_WORKSPACE
    try {
      openApi({ shell: 'web' }).close()
      expect(modeOf(old).toString(8)).toBe('700')
    } finally {
      if (previous === undefined) delete process.env.XDG_CONFIG_HOME
      else process.env.XDG_CONFIG_HOME = previous
      if (previousWs !== undefined) process.env.FEATURELENS_WORKSPACE = previousWs
    }
  })
})
