/**
 * One-click starting points whose settings were measured to learn on a CPU in minutes (see
 * bench/face-pair-preset.ts and bench/README.md for the accuracies and times).
 */
import type { TrainConfigInput } from './run'

export interface PairPreset {
  id: string
  /** What the user clicks. */
  title: string
  /** One line saying what it is and what to expect. */
  summary: string
  attributes: [string, string]
  /** The run settings for a dataset folder. */
  config(dataset: string): TrainConfigInput
}

/**
 * The experiment of Park & Kim: one network, the same images, two labels (Smiling and Male),
 * then layer-by-layer CKA to see where the two networks stop sharing features. A quarter-width
 * VGG-11 with batch norm at 48 px: the narrow VGG without batch norm, or at full width, does
 * not learn within a few CPU epochs.
 */
export const facePairPreset: PairPreset = {
  id: 'smiling-male-faces',
  title: 'Smiling/Male pair on synthetic faces',
  summary: 'VGG-11 at quarter width with batch norm, 48 px, 4 epochs: two runs that differ only in the label, ready for Compare.',
  attributes: ['Smiling', 'Male'],
  config: (dataset) => ({
    dataset,
    name: 'Smiling/Male faces',
    model: { name: 'vgg11', widthMultiplier: 0.25, batchNorm: true, inputSize: 48 },
    optimizer: 'adam',
    learningRate: 1e-3,
    batchSize: 32,
    epochs: 4,
    validationSplit: 0.1,
    seed: 42
  })
}
