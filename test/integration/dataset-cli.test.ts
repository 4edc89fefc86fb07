import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../../src-shared/dataset'
import { runCli } from '../../src-main/cli/main'
import { idxBytes, tempDir, writeClassFolder, writeFile, writeIdxPair } from '../unit/engine/data/helpers'

const bin = fileURLToPath(new URL('../../bin/featurelens.mjs', import.meta.url))
// Capabilities that let root read whatever a file's mode says; dropped to test permissions.
const READ_ANYTHING = ['dac_override', 'dac_read_search']

interface Run {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the real CLI. `withoutRoot`: root reads files whatever their mode, so when the tests run
 * as root the CLI runs without the capabilities that allow that (setpriv drops them; running
 * as "nobody" instead would fail wherever the checkout is in a folder only root may enter,
 * such as a mktemp -d); otherwise as ourselves.
 */
function featurelens(args: string[], withoutRoot = false): Promise<Run> {
  const dropRoot = withoutRoot && process.getuid?.() === 0
  const options = { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }
  const [file, argv] = dropRoot
    ? ['setpriv', [`--bounding-set=${READ_ANYTHING.map((c) => `-${c}`).join(',')}`, process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]]
  return new Promise((resolve) => {
    execFile(file, argv, options, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

/** The same entry point in this process (bin/featurelens.mjs only sets the exit code), to save
 * a ~2 s process start per malformed case. */
async function featurelensInProcess(args: string[]): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, stdout: out.map((l) => l + '\n').join(''), stderr: err.map((l) => l + '\n').join('') }
}

let dir: string
let cleanup: () => void
beforeAll(() => {
  ;({ dir, cleanup } = tempDir('fl-dataset-cli-'))
  chmodSync(dir, 0o755)
})
afterAll(() => cleanup())

function expectOneLineError(run: Run, ...patterns: (string | RegExp)[]): void {
  expect(run.code, run.stderr).toBe(1)
  expect(run.stdout).toBe('')
  const lines = run.stderr.trim().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^featurelens dataset: /)
  expect(run.stderr).not.toMatch(/\n\s+at |Error:|node:internal/)
  for (const p of patterns) expect(lines[0]).toMatch(p)
}

describe('featurelens dataset inspect', () => {
  it('reports the bundled MNIST: 60000 and 10000 images, 10 classes, 28×28×1', async () => {
    const run = await featurelens(['dataset', 'inspect', 'mnist', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const s = JSON.parse(run.stdout) as DatasetSummary
    expect(s.splits).toEqual([{ name: 'train', count: 60000 }, { name: 'test', count: 10000 }])
    expect(s.classes).toHaveLength(10)
    expect(s.image).toMatchObject({ width: 28, height: 28, channels: 1 })
    const text = await featurelensInProcess(['dataset', 'inspect', 'mnist'])
    expect(text.stdout).toMatch(/splits:\s+train 60000, test 10000/)
    expect(text.stdout).toMatch(/images:\s+28×28×1/)
  })

  it('reads 2000 synthetic faces back as the CelebA layout with rates near the configured ones', async () => {
    const out = join(dir, 'faces')
    const made = await featurelensInProcess(['dataset', 'synth-faces', out, '--count', '2000', '--size', '32', '--seed', '7', '--rates', 'Smiling=0.5,Male=0.4,Eyeglasses=0.25'])
    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toMatch(/wrote 2000 faces of 32×32/)
    const run = await featurelensInProcess(['dataset', 'inspect', out, '--json', '--label', 'Male'])
    expect(run.code, run.stderr).toBe(0)
    const s = JSON.parse(run.stdout) as DatasetSummary
    expect(s.format).toBe('celeba')
    expect(s.total).toBe(2000)
    expect(s.label).toEqual({ kind: 'attribute', attribute: 'Male' })
    expect(s.splits.map((x) => x.name)).toEqual(['train', 'val', 'test'])
    const configured: Record<string, number> = { Smiling: 0.5, Male: 0.4, Eyeglasses: 0.25 }
    expect(s.attributes.map((a) => a.name)).toEqual(Object.keys(configured))
    for (const a of s.attributes) expect(Math.abs(a.positiveRate - configured[a.name]), a.name).toBeLessThan(0.04)
    expect(readFileSync(join(out, 'list_attr_celeba.txt'), 'utf8').split('\n')[0]).toBe('2000')
  })

  it('exits non-zero with one line naming the file for each malformed dataset', async () => {
    const at = (name: string): string => join(dir, 'bad', name)
    mkdirSync(at('empty'), { recursive: true })
    writeFile(at('no-images/a/readme.txt'), 'x')
    await writeClassFolder(at('single'), ['cats'], 2)
    writeFile(at('zero/a/1.png'), '')
    writeFile(at('zero/b/2.png'), '')
    writeIdxPair(at('magic'), 'train', [0, 1])
    writeFileSync(join(at('magic'), 'train-images-idx3-ubyte'), idxBytes([2, 4, 5], new Uint8Array(40), 0x0804))
    const length = writeIdxPair(at('length'), 'train', [0, 1, 2])
    writeFileSync(length.images, readFileSync(length.images).subarray(0, 30))
    const counts = writeIdxPair(at('counts'), 'train', [0, 1, 2])
    writeFileSync(counts.labels, idxBytes([4], Uint8Array.from([0, 1, 2, 1])))
    writeFile(at('columns/list_attr_celeba.txt'), '2\nSmiling Male\n1.jpg 1\n2.jpg -1\n')
    writeFile(at('values/list_attr_celeba.txt'), '2\nSmiling\n1.jpg yes\n2.jpg no\n')
    writeFile(at('csv/labels.csv'), 'a.png,1\nb.png,2\n')
    symlinkSync(at('loop'), at('loop'))

    const cases: [string, (string | RegExp)[]][] = [
      ['empty', [at('empty'), /empty/]],
      ['no-images', [at('no-images'), /no PNG, JPEG or WebP images/]],
      ['single', [/only one class \("cats"\)/]],
      ['zero', [/zero bytes/, /a\/1\.png/]],
      ['magic', [join(at('magic'), 'train-images-idx3-ubyte'), /wrong magic number/]],
      ['length', [length.images, /truncated/]],
      ['counts', [counts.labels, /has 4 labels but train-images-idx3-ubyte has 3 images/]],
      ['columns', [/list_attr_celeba\.txt line 3: 1 values, expected 2/]],
      ['values', [/list_attr_celeba\.txt line 3: "yes" for Smiling \(must be 1 or -1\)/]],
      ['csv', [/labels\.csv: none of the 2 listed images can be used/, /does not exist/]],
      ['loop', [at('loop'), /symbolic link loop/]],
      ['missing', [at('missing'), /does not exist/]]
    ]
    // One case through a real process, to see the exit status and stderr as a shell would.
    expectOneLineError(await featurelens(['dataset', 'inspect', at('single')]), ...cases[2][1])
    for (const [name, patterns] of cases) expectOneLineError(await featurelensInProcess(['dataset', 'inspect', at(name)]), ...patterns)
  })

  it('skips unreadable files and rejects an unreadable folder, for a user without permission', async () => {
    const root = join(dir, 'perm')
    await writeClassFolder(root, ['a', 'b'], 3)
    chmodSync(root, 0o755)
    for (const c of ['a', 'b']) chmodSync(join(root, c), 0o755)
    chmodSync(join(root, 'a', '0.png'), 0o000)
    const partial = await featurelens(['dataset', 'inspect', root, '--json'], true)
    expect(partial.code, partial.stderr).toBe(0)
    const s = JSON.parse(partial.stdout) as DatasetSummary
    expect(s.total).toBe(5)
    expect(s.warnings.find((w) => w.code === 'unreadable')).toMatchObject({ count: 1, examples: ['a/0.png'] })

    chmodSync(root, 0o000)
    const refused = await featurelens(['dataset', 'inspect', root], true)
    chmodSync(root, 0o755)
    expectOneLineError(refused, root, /permission denied/)
  })

  it('rejects bad arguments with usage hints (exit 2)', async () => {
    const none = await featurelensInProcess(['dataset'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/missing subcommand/)
    const count = await featurelensInProcess(['dataset', 'synth-faces', join(dir, 'x'), '--count', 'many'])
    expect(count.code).toBe(2)
    expect(count.stderr).toMatch(/--count must be a whole number/)
  })
})
