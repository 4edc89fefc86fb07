/**
 * Early exit by feature-map similarity (engine/analysis/earlyExit/earlyExitOfRun.ts). Long work
 * runs through the task service (task.progress, task.cancel).
 */
import { descriptorsOfRun, earlyExitOfRun, featureMapTrainOfRun, latestEarlyExit } from '../engine/analysis/earlyExit/earlyExitOfRun'
import type { Handler } from './router'
import { runTask } from './tasks'

export const earlyExitHandlers: {
  'earlyExit.descriptors': Handler<'earlyExit.descriptors'>
  'earlyExit.run': Handler<'earlyExit.run'>
  'earlyExit.latest': Handler<'earlyExit.latest'>
  'earlyExit.featureMapTrain': Handler<'earlyExit.featureMapTrain'>
} = {
  'earlyExit.descriptors': (request, context) =>
    runTask(context, request.taskId, { task: 'descriptor extraction', runId: request.runId }, (control) => descriptorsOfRun(context, request, control)),
  'earlyExit.run': (request, context) => runTask(context, request.taskId, { task: 'early exit', runId: request.runId }, (control) => earlyExitOfRun(context, request, control)),
  'earlyExit.latest': ({ runId }, context) => latestEarlyExit(context, runId),
  'earlyExit.featureMapTrain': (request, context) =>
    runTask(context, request.taskId, { task: 'training on feature maps', runId: request.runId }, (control) => featureMapTrainOfRun(context, request, control))
}
