import { resolve } from 'node:path'
import { BUNDLED_MNIST } from '../../../src-shared/dataset'
import type { Dataset } from './dataset'
import { openDataset } from './open'

/**
 * Opened datasets by folder; another label is a cheap view of the same folder. Opening checks every file, which is slow for a big
 * folder, and views ask for images of the same dataset again and again.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Promise<Dataset>>()
  constructor(private readonly capacity = 6) {}

  /** The dataset under `label` (an attribute), or under its own label when none is given. */
  async open(path: string, label?: string): Promise<Dataset> {
    const dataset = await this.openFolder(path)
    return label === undefined ? dataset : dataset.withLabel(label)
  }

  private openFolder(path: string): Promise<Dataset> {
    const where = path.trim().toLowerCase() === BUNDLED_MNIST ? BUNDLED_MNIST : resolve(path)
    const key = `${where}\u0000`
    let entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry)
      return entry
    }
    entry = openDataset(path)
    entry.catch(() => this.entries.delete(key))
    this.entries.set(key, entry)
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string)
    return entry
  }

  /** Forgets a folder, e.g. after the user regenerated it. */
  forget(path: string): void {
    const where = resolve(path)
    for (const key of this.entries.keys()) if (key.startsWith(`${where}\u0000`)) this.entries.delete(key)
  }
}
