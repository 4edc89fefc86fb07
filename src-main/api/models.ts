import { getRun } from '../engine/store/runStore'
import type { Handler } from './router'

export const modelHandlers: {
  'models.open': Handler<'models.open'>
  'models.setPreprocess': Handler<'models.setPreprocess'>
  'models.predict': Handler<'models.predict'>
} = {
  'models.open': async ({ path, ...options }, context) => {
    if (options.dataset) await context.datasets.open(options.dataset)
    const { openModelAsRun } = await import('../engine/train/modelRun')
    return getRun(context.db, await openModelAsRun(context.db, path, options))
  },

  'models.setPreprocess': async ({ runId, preprocess }, context) => {
    const { setModelRunPreprocess } = await import('../engine/train/modelRun')
    await setModelRunPreprocess(context.db, context.models, runId, preprocess)
    return getRun(context.db, runId)
  },

  'models.predict': async ({ runId, ...request }, context) => {
    const { predictWithRun } = await import('../engine/analysis/core/predict')
    return predictWithRun(context, runId, request)
  }
}
