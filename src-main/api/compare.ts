/** Compare two runs (engine/analysis/compare): long analyses run through the task service. */
import { pairAttention, pairCka, pairCkaEpochs, pairWeightHistograms } from '../engine/analysis/compare/pairAnalyses'
import { pairOverview } from '../engine/analysis/compare/pairOverview'
import type { Handler } from './router'
import { runTask } from './tasks'

export const compareHandlers: {
  'compare.overview': Handler<'compare.overview'>
  'compare.cka': Handler<'compare.cka'>
  'compare.ckaEpochs': Handler<'compare.ckaEpochs'>
  'compare.attention': Handler<'compare.attention'>
  'compare.weightHistograms': Handler<'compare.weightHistograms'>
} = {
  'compare.overview': ({ a, b }, context) => pairOverview(context, a, b),
  'compare.cka': (request, context) => runTask(context, request.taskId, { task: 'CKA layer × layer', runId: request.a }, (control) => pairCka(context, request, control)),
  'compare.ckaEpochs': (request, context) => runTask(context, request.taskId, { task: 'CKA across epochs', runId: request.a }, (control) => pairCkaEpochs(context, request, control)),
  'compare.attention': (request, context) => runTask(context, request.taskId, { task: 'where each model looks', runId: request.a }, (control) => pairAttention(context, request, control)),
  'compare.weightHistograms': (request, context) => pairWeightHistograms(context, request)
}
