/**
 * The Explain page's handlers (Zeiler & Fergus 2014): each calls one engine function
 * (engine/analysis/explain/explainImage and explainSample). Long work runs through the task
 * service (task.progress, task.cancel).
 */
import { explainGradients, explainOcclusion, explainOverview, explainProjection } from '../engine/analysis/explain/explainImage'
import { explainInvariance, explainTop9 } from '../engine/analysis/explain/explainSample'
import { explainPointing } from '../engine/analysis/explain/pointingOfRun'
import type { Handler } from './router'
import { runTask } from './tasks'

export const explainHandlers: {
  'explain.overview': Handler<'explain.overview'>
  'explain.occlusion': Handler<'explain.occlusion'>
  'explain.gradients': Handler<'explain.gradients'>
  'explain.project': Handler<'explain.project'>
  'explain.top9': Handler<'explain.top9'>
  'explain.invariance': Handler<'explain.invariance'>
  'explain.pointing': Handler<'explain.pointing'>
} = {
  'explain.overview': ({ runId }, context) => explainOverview(context, runId),
  'explain.occlusion': (request, context) => runTask(context, request.taskId, { task: 'occlusion map', runId: request.runId }, (control) => explainOcclusion(context, request, control)),
  'explain.gradients': (request, context) => explainGradients(context, request),
  'explain.project': (request, context) => explainProjection(context, request),
  'explain.top9': (request, context) => runTask(context, request.taskId, { task: 'top activations', runId: request.runId }, (control) => explainTop9(context, request, control)),
  'explain.invariance': (request, context) => runTask(context, request.taskId, { task: 'invariance curves', runId: request.runId }, (control) => explainInvariance(context, request, control)),
  'explain.pointing': (request, context) => runTask(context, request.taskId, { task: 'pointing figures', runId: request.runId }, (control) => explainPointing(context, request, control))
}
