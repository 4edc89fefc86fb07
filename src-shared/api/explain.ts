import { z } from 'zod'
import { InspectRunId } from '../inspect'
import {
  ExplainOverview,
  GradientsRequest,
  GradientsResponse,
  InvarianceRequest,
  InvarianceResponse,
  OcclusionRequest,
  OcclusionResponse,
  PointingRequest,
  PointingResponse,
  ProjectRequest,
  ProjectResponse,
  Top9Request,
  Top9Response
} from '../explain'

/**
 * Explaining a prediction, Zeiler & Fergus style. Long work (occlusion, top activations,
 * invariance, pointing figures) runs under a taskId: task.progress events, task.cancel.
 */
export const explainMethods = {
  /** Epochs, layers, classes, dataset splits and evidence regions of a run, with per-size defaults. */
  'explain.overview': { request: z.object({ runId: InspectRunId }).strict(), response: ExplainOverview },
  /** Occlusion sensitivity of one image: (a) strongest map's total activation, (b) P(class), (c) the label, per square position. */
  'explain.occlusion': { request: OcclusionRequest, response: OcclusionResponse },
  /** Grad-CAM at a conv layer and plain saliency of one image. */
  'explain.gradients': { request: GradientsRequest, response: GradientsResponse },
  /** The strongest unit of a layer (or of one channel) projected to pixels by the deconvnet and by guided backpropagation. */
  'explain.project': { request: ProjectRequest, response: ProjectResponse },
  /** The top activations of channels over a dataset sample, with patches and projections, at one or more epochs. */
  'explain.top9': { request: Top9Request, response: Top9Response },
  /** Feature distance at two layers and P(true class) as images are translated, scaled or rotated. */
  'explain.invariance': { request: InvarianceRequest, response: InvarianceResponse },
  /** Share of each map's positive mass inside each evidence region, over a sample (synthetic faces). Cached. */
  'explain.pointing': { request: PointingRequest, response: PointingResponse }
} as const
