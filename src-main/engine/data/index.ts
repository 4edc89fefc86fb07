/** The dataset engine: open and inspect datasets, read batches for training, make synthetic faces. */
export { openDataset, inspectDataset, bundledMnistDir, type OpenOptions } from './open'
export { Dataset, DatasetSplit, type Batch, type ReadOptions, type ImageData, type Fit } from './dataset'
export { shuffledIndices, indicesByClass, selectPerClass, halfOfEachClass, validationSplit, epochOrder, batchesOf, type Selection, type PerClassOptions } from './splits'
export { generateSyntheticFaces, type SynthFacesOptions } from './synthFaces/generate'
export { readEvidenceMask, readSyntheticInfo } from './synthFaces/evidence'
export { createRandom, hashSeed, type Random } from './random'
export { DATA_LIMITS, type WorkOptions } from './limits'
