/**
 * The run inspector: a run's architecture, filters, feature maps of an image, dead channels and
 * feature evolution over a dataset sample (engine/analysis/featureMaps/inspectRun.ts), and its
 * weights (engine/analysis/weights/inspectWeights.ts). Long work runs through the task service.
 */
import { runArchitecture, runChannels, runEvolution, runFeatureMaps, runFilters, runOverview } from '../engine/analysis/featureMaps/inspectRun'
import { runChangeNorms, runWeightMatrix, runWeightStats, runWeightValue } from '../engine/analysis/weights/inspectWeights'
import type { Handler } from './router'
import { runTask } from './tasks'

export const inspectHandlers: {
  'inspect.overview': Handler<'inspect.overview'>
  'inspect.architecture': Handler<'inspect.architecture'>
  'inspect.filters': Handler<'inspect.filters'>
  'inspect.featureMaps': Handler<'inspect.featureMaps'>
  'inspect.weights': Handler<'inspect.weights'>
  'inspect.weightStats': Handler<'inspect.weightStats'>
  'inspect.weightValue': Handler<'inspect.weightValue'>
  'inspect.changeNorms': Handler<'inspect.changeNorms'>
  'inspect.channels': Handler<'inspect.channels'>
  'inspect.evolution': Handler<'inspect.evolution'>
} = {
  'inspect.overview': ({ runId }, context) => runOverview(context, runId),
  'inspect.architecture': ({ runId }, context) => runArchitecture(context, runId),
  'inspect.filters': (request, context) => runFilters(context, request),
  'inspect.featureMaps': (request, context) => runTask(context, request.taskId, { task: 'feature maps', runId: request.runId }, (control) => runFeatureMaps(context, request, control)),
  'inspect.weights': (request, context) => runWeightMatrix(context, request),
  'inspect.weightStats': (request, context) =>
    runTask(context, request.taskId, { task: 'weight statistics', runId: request.runId }, (control) => runWeightStats(context, request, control)),
  'inspect.weightValue': (request, context) => runWeightValue(context, request),
  'inspect.changeNorms': (request, context) =>
    runTask(context, request.taskId, { task: 'change norms', runId: request.runId }, (control) => runChangeNorms(context, request.runId, control)),
  'inspect.channels': (request, context) =>
    runTask(context, request.taskId, { task: 'dead and always-on channels', runId: request.runId }, (control) => runChannels(context, request, control)),
  'inspect.evolution': (request, context) => runTask(context, request.taskId, { task: 'feature evolution', runId: request.runId }, (control) => runEvolution(context, request, control))
}
