import * as tf from '@tensorflow/tfjs'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../../../src-shared/errors'
import { buildBuiltinModel } from '../../../../../../src-main/engine/models/buildModel'
import { fileSystemHandler } from '../../../../../../src-main/engine/models/formats/tfjs/fileSystemHandler'
import { loadModelFromDisk } from '../../../../../../src-main/engine/models/formats/tfjs/tfjsLayers'

/** Hostile model folders: each must fail fast with a message naming the file and the problem. */

const dirs: string[] = []
let pristine = ''

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'featurelens-hostile-'))
  dirs.push(dir)
  return dir
}

/** A fresh copy of a small saved model (model.json + weights.bin) to damage. */
function modelCopy(): string {
  const dir = tempDir()
  for (const f of ['model.json', 'weights.bin']) writeFileSync(join(dir, f), readFileSync(join(pristine, f)))
  return dir
}

type Json = { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] | null }
const readJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json
const writeJson = (dir: string, json: unknown) => writeFileSync(join(dir, 'model.json'), JSON.stringify(json))

async function failure(location: string): Promise<ApiError> {
  const started = Date.now()
  try {
    const model = await loadModelFromDisk(location)
    model.dispose()
  } catch (err) {
    expect(Date.now() - started).toBeLessThan(5000)
    if (err instanceof ApiError && err.code === 'bad_input') return err
    throw err
  }
  throw new Error(`expected loading ${location} to fail`)
}

const passwd = readFileSync('/etc/passwd', 'utf8')
/** No line of /etc/passwd (e.g. "root:x:0:0") may appear in an error. */
function quotesNoFile(message: string): void {
  expect(message).not.toMatch(/root:|:x:0:/)
  for (const line of passwd.split('\n').filter((l) => l.length > 8).slice(0, 5)) expect(message.includes(line)).toBe(false)
}

beforeAll(async () => {
  await tf.setBackend('cpu')
  pristine = tempDir()
  const model = buildBuiltinModel({ name: 'minimal' }, { height: 28, width: 28, channels: 1 }, 10, 'softmax', 5)
  await model.save(fileSystemHandler(pristine))
  model.dispose()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('weight paths', () => {
  it('refuses a weight path that climbs out of the model folder', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    json.weightsManifest![0].paths = ['../../../../../../../../etc/passwd']
    writeJson(dir, json)
    const err = await failure(dir)
    expect(err.message).toMatch(/weight file .*etc\/passwd lies outside the model folder/)
    quotesNoFile(err.message)
  })

  it('refuses an absolute weight path and a shard that is a symbolic link out of the folder', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    json.weightsManifest![0].paths = ['/etc/passwd']
    writeJson(dir, json)
    expect((await failure(dir)).message).toMatch(/weight file \/etc\/passwd lies outside the model folder/)

    const linked = modelCopy()
    unlinkSync(join(linked, 'weights.bin'))
    symlinkSync('/etc/passwd', join(linked, 'weights.bin'))
    const err = await failure(linked)
    expect(err.message).toMatch(/weight file .*weights\.bin lies outside the model folder/)
    quotesNoFile(err.message)
  })
})

describe('missing weights', () => {
  it('refuses a missing or null weightsManifest instead of running on random weights', async () => {
    for (const manifest of [undefined, null]) {
      const dir = modelCopy()
      const json = readJson(dir)
      if (manifest === undefined) delete (json as Partial<Json>).weightsManifest
      else json.weightsManifest = null
      writeJson(dir, json)
      expect((await failure(dir)).message).toMatch(/model\.json has no "weightsManifest".*random weights/)
    }
  })

  it('refuses a manifest that leaves layers without weights, and a missing shard', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    json.weightsManifest = []
    writeJson(dir, json)
    expect((await failure(dir)).message).toMatch(/model\.json: the layer weight "conv1\/kernel" has no values in the weight files/)

    const missing = modelCopy()
    unlinkSync(join(missing, 'weights.bin'))
    expect((await failure(missing)).message).toMatch(/weight file .*weights\.bin is missing; it is listed in .*model\.json/)
  })

  it('refuses a truncated shard', async () => {
    const dir = modelCopy()
    truncateSync(join(dir, 'weights.bin'), 100)
    expect((await failure(dir)).message).toMatch(/the weight files hold 100 bytes but "weightsManifest" describes \d+; a weight file is truncated/)
  })
})

describe('special files', () => {
  it('refuses a FIFO as model.json or as a shard without hanging', async () => {
    const dir = tempDir()
    execFileSync('mkfifo', [join(dir, 'model.json')])
    expect((await failure(dir)).message).toMatch(/model\.json .*model\.json is a named pipe \(FIFO\), not a file/)

    const shard = modelCopy()
    unlinkSync(join(shard, 'weights.bin'))
    execFileSync('mkfifo', [join(shard, 'weights.bin')])
    expect((await failure(shard)).message).toMatch(/weight file .*weights\.bin is a named pipe \(FIFO\)/)
  })

  it('refuses /dev/zero behind a link, as model.json or as a shard', async () => {
    const dir = tempDir()
    symlinkSync('/dev/zero', join(dir, 'model.json'))
    expect((await failure(join(dir, 'model.json'))).message).toMatch(/model\.json .* is a character device, not a file/)
    // Given the folder, the link leads out of it, which is refused first.
    expect((await failure(dir)).message).toMatch(/lies outside the model folder/)

    const shard = modelCopy()
    const json = readJson(shard)
    json.weightsManifest![0].paths = ['zero.bin']
    writeJson(shard, json)
    symlinkSync('/dev/zero', join(shard, 'zero.bin'))
    expect((await failure(shard)).message).toMatch(/zero\.bin lies outside the model folder/)
  })

  it('never echoes a linked non-model file', async () => {
    const dir = tempDir()
    symlinkSync('/etc/passwd', join(dir, 'model.json'))
    const direct = await failure(join(dir, 'model.json'))
    expect(direct.message).toMatch(/model\.json .*model\.json is not valid JSON; point to the file written by the model's exporter/)
    quotesNoFile(direct.message)
    quotesNoFile((await failure(dir)).message)
  })

  it('checks sizes before reading: an oversized model.json or shard is refused unread', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'model.json'), '')
    truncateSync(join(dir, 'model.json'), 65 * 1024 * 1024) // sparse: costs no disk
    expect((await failure(dir)).message).toMatch(/model\.json .* is 65 MiB, above the limit of 64 MiB/)

    const shard = modelCopy()
    truncateSync(join(shard, 'weights.bin'), 2 * 1024 * 1024 * 1024 + 1)
    expect((await failure(shard)).message).toMatch(/weight file .*weights\.bin is 2048 MiB, above the limit of 2048 MiB/)
  })
})

describe('model contents', () => {
  it('refuses weights whose shapes disagree with the layers', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    const kernel = json.weightsManifest![0].weights.find((w) => w.name === 'conv1/kernel')!
    kernel.shape = [...kernel.shape].reverse() // same number of values, wrong shape
    writeJson(dir, json)
    expect((await failure(dir)).message).toMatch(/model\.json: the weight "conv1\/kernel" has the shape \[8, 1, 5, 5\] in the weight files but the model's layer needs \[5, 5, 1, 8\]/)
  })

  it('refuses an absurd declared input before building any layer', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    const input = json.modelTopology.config.layers[0]
    input.config.batch_input_shape = [null, 100000, 100000, 1]
    writeJson(dir, json)
    expect((await failure(dir)).message).toMatch(/model\.json declares an input of 100000×100000×1, larger than Featurelens opens/)
  })

  it('names an unknown layer class', async () => {
    const dir = modelCopy()
    const json = readJson(dir)
    json.modelTopology.config.layers[1].class_name = 'MyAttentionBlock'
    writeJson(dir, json)
    expect((await failure(dir)).message).toMatch(/model\.json uses the layer class "MyAttentionBlock" \(layer "conv1"\), which Featurelens cannot build/)
  })

  it('refuses a graph model and malformed JSON', async () => {
    const graph = tempDir()
    writeJson(graph, { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] }, weightsManifest: [] })
    expect((await failure(graph)).message).toMatch(/graph model, which has no layers.*tfjs_layers_model/)
    const unlabelled = tempDir()
    writeJson(unlabelled, { modelTopology: { node: [] }, weightsManifest: [] })
    expect((await failure(unlabelled)).message).toMatch(/graph model/)

    const broken = tempDir()
    writeFileSync(join(broken, 'model.json'), '{ "modelTopology": {"secret-token-1234": ')
    const err = await failure(broken)
    expect(err.message).toMatch(/model\.json .* is not valid JSON/)
    expect(err.message).not.toMatch(/secret-token/)
    const notObject = tempDir()
    writeJson(notObject, [1, 2, 3])
    expect((await failure(notObject)).message).toMatch(/has no "modelTopology"; it is not a TF\.js model\.json/)
  })
})
