import { ApiError } from '../../../src-shared/errors'
import { intOption, parseCommandArgs } from '../args'
import type { Command } from '../command'
import { linearCka, linearCkaMinibatch } from '../../engine/analysis/cka/cka'
import { linearCkaInterval } from '../../engine/analysis/cka/ckaIntervals'
import { readNpy, type NpyArray } from '../../engine/data/npy'
import { npyAsMatrix } from '../../engine/analysis/core/matrix'

const usage = `Usage: featurelens cka --a A.npy --b B.npy [--batch N] [--seed S] [--json]

Linear CKA (Kornblith et al. 2019) between two activation matrices saved as NumPy .npy files,
for example the same layer of two models, or two layers of one model.
Rows are examples: both files must hold the same examples in the same order. Further axes are
flattened into features, so [n, h, w, c] becomes n rows of h·w·c. Little-endian float32 or
float64 in C order (what np.save writes by default for those dtypes).

Options:
  --a PATH     first activation matrix (.npy)
  --b PATH     second activation matrix (.npy)
  --batch N    use the minibatch estimator with unbiased HSIC (Nguyen et al. 2021) over
               batches of at least N rows, for data too large for the exact computation
  --seed S     seed of the row shuffle that forms the minibatches (default 0)

The value comes with its 95 % confidence interval: a percentile bootstrap over 200 resamples of
the examples (rows), or of the batches with --batch.
  --json       print the result as JSON`

function describe(path: string, array: NpyArray, rows: number, cols: number) {
  return { path, shape: array.shape, dtype: array.dtype, rows, features: cols }
}

export const ckaCommand: Command = {
  name: 'cka',
  summary: 'linear CKA between two activation matrices saved as .npy files',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(
      'cka',
      args,
      {
        a: { type: 'string' },
        b: { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' }
      },
      false
    )
    if (!values.a || !values.b) {
      throw new ApiError('invalid_request', `both --a and --b are required. Run "featurelens cka --help" for usage.`)
    }
    const batch = values.batch === undefined ? undefined : intOption('batch', values.batch, 0, 4)
    const seed = intOption('seed', values.seed, 0, 0)
    const [arrayA, arrayB] = await Promise.all([readNpy(values.a), readNpy(values.b)])
    const x = npyAsMatrix(arrayA, values.a)
    const y = npyAsMatrix(arrayB, values.b)
    if (x.rows !== y.rows) {
      throw new ApiError(
        'bad_input',
        `${values.a} has ${x.rows} rows but ${values.b} has ${y.rows}; rows are examples, so export the same examples in the same order to both files`
      )
    }
    const names: [string, string] = [values.a, values.b]
    const started = performance.now()
    const result =
      batch === undefined
        ? { cka: linearCka(x, y, names), method: 'full' as const, batchSize: x.rows, batches: 1 }
        : { ...linearCkaMinibatch(x, y, { batchSize: batch, seed, names }), method: 'minibatch' as const }
    const seconds = (performance.now() - started) / 1000
    // How much the value would move with other examples: the rows resampled (exact), or the batches (minibatch).
    const found = result.method === 'full' ? await linearCkaInterval(x, y) : result.interval ? result.interval : { note: 'no interval: a single batch; use a smaller --batch' }
    const interval = 'note' in found ? null : { ...found, level: 0.95, resampled: result.method === 'full' ? 'examples' : 'batches' }
    const intervalNote = 'note' in found ? found.note : null

    if (values.json) {
      io.out(
        JSON.stringify({
          cka: result.cka,
          interval,
          intervalNote,
          method: result.method,
          examples: x.rows,
          ...(result.method === 'minibatch' ? { batchSize: result.batchSize, batches: result.batches, seed } : {}),
          seconds: Number(seconds.toFixed(3)),
          a: describe(values.a, arrayA, x.rows, x.cols),
          b: describe(values.b, arrayB, y.rows, y.cols)
        })
      )
      return 0
    }
    const shape = (a: NpyArray, cols: number, rows: number) =>
      `${rows} × ${cols}${a.shape.length === 2 ? '' : ` (from shape ${JSON.stringify(a.shape)})`}  ${a.dtype}`
    io.out(`linear CKA  ${result.cka.toFixed(6)}`)
    io.out(interval ? `95 % CI     ${interval.low.toFixed(4)}–${interval.high.toFixed(4)} (percentile bootstrap, ${interval.replicates} resamples of the ${interval.resampled})` : intervalNote!)
    io.out(`A  ${values.a}  ${shape(arrayA, x.cols, x.rows)}`)
    io.out(`B  ${values.b}  ${shape(arrayB, y.cols, y.rows)}`)
    io.out(
      result.method === 'full'
        ? `exact computation over ${x.rows} examples in ${seconds.toFixed(2)} s`
        : `minibatch estimate (unbiased HSIC): ${result.batches} batches of ${result.batchSize}+ rows, seed ${seed}, in ${seconds.toFixed(2)} s`
    )
    return 0
  }
}
