/**
 * How quickly `featurelens serve` answers a second client (app.info, a static file) while it
 * computes CKA across epochs for a pair of narrow VGG-11 runs, and how long a cancel takes:
 * with the analysis worker (the default) and with analyses on the main thread
 * (FEATURELENS_ANALYSIS_WORKER=0). Run: node --import tsx bench/host-responsiveness.ts
 */
import { describeResponsiveness, measureDuringAnalysis, percentile, workspaceForLongAnalysis, type Responsiveness } from '../test/support/longAnalysis'
import { startServe } from '../test/support/serve'

const made = await workspaceForLongAnalysis({ faces: 300, epochs: 6 })
const results: Record<string, Responsiveness> = {}
for (const [label, env] of [['analysis worker', {}], ['main thread', { FEATURELENS_ANALYSIS_WORKER: '0' }]] as const) {
  const app = await startServe({ workspace: made.workspace, env })
  try {
    results[label] = await measureDuringAnalysis(app.port, app.token, made, 5000)
    console.log(`${label.padEnd(16)} ${describeResponsiveness(results[label])}`)
  } finally {
    await app.stop()
  }
}
const worker = results['analysis worker']
const inline = results['main thread']
console.log(
  `main thread / worker: app.info p50 ×${(percentile(inline.api, 0.5) / percentile(worker.api, 0.5)).toFixed(1)}, ` +
    `static p50 ×${(percentile(inline.files, 0.5) / percentile(worker.files, 0.5)).toFixed(1)}, cancel ×${(inline.cancelMs / worker.cancelMs).toFixed(1)}`
)
