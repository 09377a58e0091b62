export {
  encodeNpy,
  npyReadDefaults,
  npyToFloat32,
  npyToInt32,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  type NpyReadOptions,
} from './formats/npy.js';
export { isPickleTuple, readPickle, type PickleCallable, type PickleGlobal, type PickleOptions, type PickleResult } from './formats/pickle.js';
export { isTorchTensor, parseTorchFile, readTorchFile, type TorchDtype, type TorchTensor } from './formats/pth.js';
export { csvField, parseCsv } from './formats/csv.js';
export { loadSplitTable, splitTableFormatOf, type LoadSplitTableOptions, type SplitTableFormat } from './splits/load-split-table.js';
export { readSplitTablePth, splitTableFromTorch } from './splits/split-table-pth.js';
export { parseSplitTableJson, readSplitTableJson, splitTableToJson } from './splits/split-table-json.js';
export { parseSplitTableCsv, readSplitTableCsv, splitTableToCsv } from './splits/split-table-csv.js';
export { createSplit, splitScenarios, type CreateSplitOptions, type SplitScenario } from './splits/scenarios.js';
export { cropResizeBilinear, cropResizeNearest, flipHorizontal, type CropWindow, type PlanarImage } from './augment/resize.js';
export { asPlanar, labelResamplingOf, mapSampleArrays, type LabelResampling } from './augment/sample-geometry.js';
export {
  applyScaleCrop,
  drawScaleCrop,
  randomScaleCrop,
  randomScaleCropDefaults,
  type RandomScaleCropOptions,
  type ScaleCrop,
  type TransformOutputs,
} from './augment/random-scale-crop.js';
export { flipSampleHorizontally, randomHorizontalFlip } from './augment/horizontal-flip.js';
export {
  applyPhotometric,
  applyPhotometricOperation,
  drawPhotometricOperations,
  photometricDefaults,
  photometricOperationNames,
  randomPhotometric,
  type PhotometricOperation,
  type PhotometricOperationName,
  type PhotometricOptions,
} from './augment/photometric.js';
export { augmentationDefaults, resolveAugmentation, sampleViews, type AugmentationOptions } from './augment/multi-view.js';
export {
  BatchLoader,
  batchLoaderDefaults,
  createBatchLoader,
  evaluationBatches,
  type BatchLoaderOptions,
  type BatchLoaderState,
  type BatchProgress,
  type EvaluationBatchOptions,
} from './pipeline/batch-loader.js';
export { assembleBatch, batchTensors, labelShapeOf } from './pipeline/assemble-batch.js';
export { fillValueOf, packBatch, prepareBatch, type PackedBatch, type PackedView } from './pipeline/pack-batch.js';
export { labelSizeOf, prepareSample, type PreparedSample, type PreparedView, type SampleJob } from './pipeline/prepare-sample.js';
export {
  descriptorOf,
  openSource,
  sourceFactories,
  type DescribedSampleSource,
  type SourceDescriptor,
  type SourceFactory,
} from './pipeline/source-registry.js';
export { SampleWorkerPool, type WorkerPoolOptions } from './pipeline/worker-pool.js';
export { renderScene, sceneClassNames, sceneSeed, type RenderedScene } from './synthetic/scene-renderer.js';
export {
  createSyntheticScenes,
  createSyntheticTasks,
  renderSceneSample,
  syntheticSceneTaskNames,
  syntheticScenesDefaults,
  type SyntheticSceneTaskName,
  type SyntheticScenesOptions,
} from './synthetic/synthetic-scenes.js';
export {
  createSyntheticAffect,
  renderAffectSample,
  syntheticAffectClassNames,
  syntheticAffectDefaults,
  syntheticAffectRelatedness,
  syntheticAffectTasks,
  type SyntheticAffectOptions,
} from './synthetic/synthetic-affect.js';
export { encodeIdx, idxReadDefaults, parseIdx, readIdx, type IdxArray, type IdxReadOptions, type IdxType } from './formats/idx.js';
export { fashionMnistDefaults, loadFashionMnist, type FashionMnistOptions, type FashionMnistSource } from './loaders/fashion-mnist.js';
export { checkIndex, resolveInside, resolveLabelMask, type LabelMaskOption } from './loaders/loader-support.js';
export { createMtanNpySource, type MtanLayoutOptions, type MtanLayoutTask, type MtanLabelEncoding, type MtanSampleSource } from './loaders/mtan-npy-layout.js';
export { createNyuv2Source, nyuv2Defaults, type Nyuv2Options } from './loaders/nyuv2.js';
export { cityscapesMtanDefaults, createCityscapesMtanSource, type CityscapesMtanOptions } from './loaders/cityscapes-mtan.js';
export { decodeImageRgb, decodeSingleChannel, resizeNearest, type DecodeImageOptions, type PixelBox, type RawMap } from './loaders/image-decoding.js';
export {
  cityscapesCategoryNames,
  cityscapesCategoryOf,
  cityscapesOfficialDefaults,
  cityscapesTrainIdNames,
  cityscapesTrainIds,
  createCityscapesOfficialSource,
  type CityscapesOfficialOptions,
  type CityscapesOfficialSource,
} from './loaders/cityscapes-official.js';
export { createTaskonomySource, taskonomyDomains, type TaskonomyDomain, type TaskonomyEncoding, type TaskonomyOptions, type TaskonomySource } from './loaders/taskonomy.js';
export {
  actionUnitTask,
  actionUnitVector,
  affectTaskNames,
  canonicalActionUnits,
  canonicalExpressions,
  createAffectSource,
  expressionIndexOf,
  expressionTask,
  valenceArousalTask,
  type AffectEntry,
  type AffectSampleSource,
  type AffectSourceOptions,
  type CanonicalExpression,
} from './loaders/affect-common.js';
export { affectNetDefaults, createAffectNetSource, type AffectNetOptions } from './loaders/affectnet.js';
export { createRafDbSource, rafDbDefaults, rafDbExpressionCodes, type RafDbOptions } from './loaders/raf-db.js';
export { createRafAuSource, rafAuDefaults, type RafAuOptions } from './loaders/raf-au.js';
export { createDisfaSource, disfaActionUnits, disfaDefaults, type DisfaOptions } from './loaders/disfa.js';
export { bp4dActionUnits, bp4dDefaults, createBp4dSource, type Bp4dOptions } from './loaders/bp4d.js';
export { createEmotioNetSource, emotioNetDefaults, type EmotioNetOptions } from './loaders/emotionet.js';
export { affWild2Defaults, affWild2ExpressionCodes, createAffWild2Source, type AffWild2Options } from './loaders/aff-wild2.js';
export { createUnionSource, type UnionSource } from './loaders/union-source.js';
export { parseObjectNpy, readObjectNpy } from './formats/npy-object.js';
export {
  readSplitTableImageLists,
  splitTableFromImageLists,
  type ImageListSplit,
  type ImageListSplitOptions,
} from './splits/split-table-image-lists.js';
export { fashionAttributeNames, fashionAttributeRelatedness, fashionMnistClassNames } from './attributes/fashion-attributes.js';
export { drawAttributes, validateRelatedness, withDerivedAttributes, type DerivedAttributesOptions } from './attributes/derived-attributes.js';
export { disjointSplit, type DisjointSplitOptions } from './attributes/disjoint-split.js';
export { findSampleProblem, InvalidSampleError, validateSample, type SampleValidationOptions } from './validation/validate-sample.js';
