import { z } from 'zod'
import { Preprocess } from '../model'
import { RunSummary } from '../run'

const runId = z.string().min(1)

export const ClassProbability = z.object({ index: z.number().int(), name: z.string(), probability: z.number() })
export type ClassProbability = z.infer<typeof ClassProbability>

export const ImagePrediction = z.object({ image: z.string(), top: z.array(ClassProbability) })
export type ImagePrediction = z.infer<typeof ImagePrediction>

export const PredictResult = z.object({
  runId: z.string(),
  epoch: z.number().int(),
  /** Where the class names came from ("labels.txt", "metadata.json", "the dataset", "numbered"). */
  classNamesFrom: z.string(),
  predictions: z.array(ImagePrediction)
})
export type PredictResult = z.infer<typeof PredictResult>

export const modelMethods = {
  /** Opens a model file as it is (TF.js folder, .onnx) into a model run: epoch 0 holds its own weights and head. */
  'models.open': {
    request: z
      .object({
        path: z.string().trim().min(1, 'give the model file or folder'),
        name: z.string().trim().max(120).optional(),
        /** One class name per line, or JSON. */
        labels: z.string().trim().min(1).optional(),
        inputSize: z.number().int().min(1).max(8192).optional(),
        preprocess: Preprocess.optional(),
        /** A dataset folder for the views' images (any whose images fit). */
        dataset: z.string().trim().min(1).optional()
      })
      .strict(),
    response: RunSummary
  },
  /** Changes an opened model's preprocessing (the fixed first layer) and drops analyses computed with the old one. */
  'models.setPreprocess': { request: z.object({ runId, preprocess: Preprocess }).strict(), response: RunSummary },
  /** The top classes of each image (files, or folders of images) for any run, trained here or opened. */
  'models.predict': {
    request: z
      .object({
        runId,
        epoch: z.number().int().min(0).optional(),
        images: z.array(z.string().min(1)).min(1, 'give at least one image or folder').max(1000),
        top: z.number().int().min(1).max(1000).default(5)
      })
      .strict(),
    response: PredictResult
  }
} as const
