/**
 * Full-resolution matrices (a weight matrix at an epoch, mean and variance maps) kept in
 * memory while a user zooms and pans: each view change asks for another region of the same
 * matrix, which must not mean reading 64 MB from the workspace again. Bounded by bytes, least
 * recently used first out. Concurrent requests for one key share one computation.
 */
export class MatrixCache<T extends { byteLength: number }> {
  private readonly entries = new Map<string, Promise<T>>()
  private readonly sizes = new Map<string, number>()
  private bytes = 0

  constructor(private readonly capacityBytes = 512 * 1024 * 1024) {}

  get(key: string, compute: () => Promise<T> | T): Promise<T> {
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const entry = Promise.resolve().then(compute)
    this.entries.set(key, entry)
    entry.then(
      (value) => {
        if (this.entries.get(key) !== entry) return
        this.sizes.set(key, value.byteLength)
        this.bytes += value.byteLength
        this.evict(key)
      },
      () => this.entries.delete(key)
    )
    return entry
  }

  /** The value under `key` if it is computed and kept (not while it is still being computed). */
  ready(key: string): Promise<T> | undefined {
    return this.sizes.has(key) ? this.entries.get(key) : undefined
  }

  /** Drops every entry whose key starts with `prefix` (e.g. a deleted run's). */
  forget(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.drop(key)
  }

  private evict(keep: string): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.capacityBytes) return
      if (key !== keep && this.sizes.has(key)) this.drop(key)
    }
  }

  private drop(key: string): void {
    this.entries.delete(key)
    this.bytes -= this.sizes.get(key) ?? 0
    this.sizes.delete(key)
  }
}
