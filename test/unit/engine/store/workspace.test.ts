import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveWorkspace, userDataDir } from '../../../../src-main/engine/store/workspace'

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
