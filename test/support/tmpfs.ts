import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Why tmpfs tests cannot run here (not root, or mounting is not allowed), or null when they can. */
export function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs'
  const probe = mkdtempSync(join(tmpdir(), 'fl-tmpfs-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' })
    execFileSync('umount', [probe], { stdio: 'pipe' })
    return null
  } catch (err) {
    return `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}`
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}

export interface Tmpfs {
  dir: string
  /** Fills the file system until only `leaveKb` KiB are free. */
  fill(leaveKb: number): void
  /** Removes the filler, so the space is free again. */
  unfill(): void
  readOnly(on: boolean): void
  unmount(): void
}

/** A small tmpfs of its own, so a test can run a workspace on a full or read-only disk. */
export function mountTmpfs(sizeKb: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'fl-tmpfs-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir])
  const filler = join(dir, 'filler')
  return {
    dir,
    fill(leaveKb) {
      rmSync(filler, { force: true })
      const stats = statfsSync(dir)
      const freeKb = Math.floor((stats.bavail * stats.bsize) / 1024)
      if (freeKb > leaveKb) writeFileSync(filler, Buffer.alloc((freeKb - leaveKb) * 1024))
    },
    unfill() {
      rmSync(filler, { force: true })
    },
    readOnly(on) {
      execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir])
    },
    unmount() {
      execFileSync('umount', ['-l', dir])
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
