import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const TOKEN_FILE = 'webhost.token'

export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Writes the token where local tools can read it, readable by the owner only. */
export function writeTokenFile(workspaceDir: string, token: string, url: string): string {
  const path = join(workspaceDir, TOKEN_FILE)
  writeFileSync(path, JSON.stringify({ token, url, pid: process.pid }) + '\n', { mode: 0o600 })
  chmodSync(path, 0o600)
  return path
}

export function tokensEqual(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
