import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APPLICATION_ID, openWorkspaceDb } from '../../../../src-main/engine/store/database'
import { migrations } from '../../../../src-main/engine/store/migrations'

const tempFile = (name = 'featurelens.sqlite') => join(mkdtempSync(join(tmpdir(), 'fl-db-')), name)

describe('workspace database', () => {
  it('creates a WAL database, marks it as ours and applies every migration', () => {
    const path = tempFile()
    const db = openWorkspaceDb(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
    db.prepare(`INSERT INTO settings (key, value) VALUES ('a', '1')`).run()
    db.close()

    const again = openWorkspaceDb(path)
    expect(again.prepare(`SELECT value FROM settings WHERE key = 'a'`).get()).toEqual({ value: '1' })
    again.close()
  })

  it('refuses a file that is not SQLite and leaves it untouched', () => {
    const path = tempFile()
    writeFileSync(path, 'these are my lecture notes, not a database\n'.repeat(100))
    const before = readFileSync(path)
    expect(() => openWorkspaceDb(path)).toThrow(/is not a SQLite database/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('refuses a foreign SQLite database and leaves it untouched', () => {
    const path = tempFile()
    const other = new Database(path)
    other.exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);`)
    other.close()
    const before = readFileSync(path)
    expect(() => openWorkspaceDb(path)).toThrow(/does not belong to Featurelens/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('refuses a corrupt workspace with a clear message and leaves it untouched', () => {
    const path = tempFile()
    const db = openWorkspaceDb(path)
    db.exec(`CREATE TABLE filler (x BLOB)`)
    const insert = db.prepare(`INSERT INTO filler (x) VALUES (?)`)
    for (let i = 0; i < 200; i++) insert.run(Buffer.alloc(1000, i))
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    const bytes = readFileSync(path)
    // Overwrite the middle pages (b-tree pages of our tables) with garbage, keep the header.
    for (let i = 8192; i < bytes.length - 4096; i++) bytes[i] = (i * 7) & 0xff
    writeFileSync(path, bytes)
    expect(() => openWorkspaceDb(path)).toThrow(/corrupt|integrity|malformed/i)
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('refuses a workspace written by a newer version', () => {
    const path = tempFile()
    const db = openWorkspaceDb(path)
    db.pragma(`user_version = ${migrations.length + 5}`)
    db.close()
    expect(() => openWorkspaceDb(path)).toThrow(/newer Featurelens/)
  })
})
