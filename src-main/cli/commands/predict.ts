import { ApiError } from '../../../src-shared/errors'
import { openApi } from '../../api/openApi'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'

const usage = `Usage: featurelens predict RUN IMAGE_OR_FOLDER... [--epoch N] [--top K] [--workspace DIR] [--json]

Prints each image's top classes with their probabilities, for any run: trained here or opened
with "featurelens model open". Folders are read one level deep, images in name order.

  --epoch N   the stored epoch to use (default: the last)
  --top K     how many classes to list per image (default 5)`

export const predictCommand: Command = {
  name: 'predict',
  summary: "a run's top classes for images or folders of images",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('predict', args, { epoch: { type: 'string' }, top: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' } })
    const [runId, ...images] = positionals
    if (!runId || images.length === 0) throw new ApiError('invalid_request', 'predict needs a run id and at least one image or folder ("featurelens runs list" shows the runs)')
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      const result = await api.call('models.predict', {
        runId,
        images,
        epoch: values.epoch === undefined ? undefined : intOption('epoch', values.epoch, 0, 0),
        top: intOption('top', values.top, 5, 1)
      })
      if (values.json) {
        io.out(JSON.stringify(result))
        return 0
      }
      io.out(`run ${result.runId}, epoch ${result.epoch}; class names from ${result.classNamesFrom}`)
      for (const p of result.predictions) {
        io.out(p.image)
        for (const c of p.top) io.out(`  ${(c.probability * 100).toFixed(2).padStart(6)}%  ${c.name}`)
      }
      return 0
    } finally {
      api.close()
    }
  }
}
