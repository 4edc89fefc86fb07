import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { storageFailure } from '../engine/store/storageErrors'
import { join } from 'node:path'

export const TOKEN_FILE = 'webhost.token'

export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * Writes the token where local tools can read it, readable by the owner only. On failure (a full
 * disk) the partial file is removed and the error names the file and what to do.
 */
export function writeTokenFile(workspaceDir: string, token: string, url: string): string {
  const path = join(workspaceDir, TOKEN_FILE)
  try {
    writeFileSync(path, JSON.stringify({ token, url, pid: process.pid }) + '\n', { mode: 0o600 })
    chmodSync(path, 0o600)
  } catch (err) {
    rmSync(path, { force: true })
    throw storageFailure(err, path, `writing the token file ${path}`) ?? err
  }
  return path
}

export function tokensEqual(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
