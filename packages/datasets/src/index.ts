export {
  type DerivedAttributesOptions,
  drawAttributes,
  validateRelatedness,
  withDerivedAttributes,
} from './attributes/derived-attributes.js';
export { type DisjointSplitOptions, disjointSplit } from './attributes/disjoint-split.js';
export {
  fashionAttributeNames,
  fashionAttributeRelatedness,
  fashionMnistClassNames,
} from './attributes/fashion-attributes.js';
export { flipSampleHorizontally, randomHorizontalFlip } from './augment/horizontal-flip.js';
export {
  type AugmentationOptions,
  augmentationDefaults,
  resolveAugmentation,
  sampleViews,
} from './augment/multi-view.js';
export {
  applyPhotometric,
  applyPhotometricOperation,
  drawPhotometricOperations,
  type PhotometricOperation,
  type PhotometricOperationName,
  type PhotometricOptions,
  photometricDefaults,
  photometricOperationNames,
  randomPhotometric,
} from './augment/photometric.js';
export {
  applyScaleCrop,
  drawScaleCrop,
  type RandomScaleCropOptions,
  randomScaleCrop,
  randomScaleCropDefaults,
  type ScaleCrop,
  type TransformOutputs,
} from './augment/random-scale-crop.js';
export {
  type CropWindow,
  cropResizeBilinear,
  cropResizeNearest,
  flipHorizontal,
  type PlanarImage,
} from './augment/resize.js';
export {
  asPlanar,
  type LabelResampling,
  labelResamplingOf,
  mapSampleArrays,
} from './augment/sample-geometry.js';
export { csvField, parseCsv } from './formats/csv.js';
export {
  encodeIdx,
  type IdxArray,
  type IdxReadOptions,
  type IdxType,
  idxReadDefaults,
  parseIdx,
  readIdx,
} from './formats/idx.js';
export {
  encodeNpy,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  type NpyReadOptions,
  npyReadDefaults,
  npyToFloat32,
  npyToInt32,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
} from './formats/npy.js';
export { parseObjectNpy, readObjectNpy } from './formats/npy-object.js';
export {
  isPickleTuple,
  type PickleCallable,
  type PickleGlobal,
  type PickleOptions,
  type PickleResult,
  readPickle,
} from './formats/pickle.js';
export {
  isTorchTensor,
  parseTorchFile,
  readTorchFile,
  type TorchDtype,
  type TorchTensor,
} from './formats/pth.js';
export {
  type AffWild2Options,
  affWild2Defaults,
  affWild2ExpressionCodes,
  createAffWild2Source,
} from './loaders/aff-wild2.js';
export {
  type AffectEntry,
  type AffectSampleSource,
  type AffectSourceOptions,
  actionUnitTask,
  actionUnitVector,
  affectTaskNames,
  type CanonicalExpression,
  canonicalActionUnits,
  canonicalExpressions,
  createAffectSource,
  expressionIndexOf,
  expressionTask,
  valenceArousalTask,
} from './loaders/affect-common.js';
export { type AffectNetOptions, affectNetDefaults, createAffectNetSource } from './loaders/affectnet.js';
export { type Bp4dOptions, bp4dActionUnits, bp4dDefaults, createBp4dSource } from './loaders/bp4d.js';
export {
  type CityscapesMtanOptions,
  cityscapesMtanDefaults,
  createCityscapesMtanSource,
} from './loaders/cityscapes-mtan.js';
export {
  type CityscapesOfficialOptions,
  type CityscapesOfficialSource,
  cityscapesCategoryNames,
  cityscapesCategoryOf,
  cityscapesOfficialDefaults,
  cityscapesTrainIdNames,
  cityscapesTrainIds,
  createCityscapesOfficialSource,
} from './loaders/cityscapes-official.js';
export { createDisfaSource, type DisfaOptions, disfaActionUnits, disfaDefaults } from './loaders/disfa.js';
export { createEmotioNetSource, type EmotioNetOptions, emotioNetDefaults } from './loaders/emotionet.js';
export {
  type FashionMnistOptions,
  type FashionMnistSource,
  fashionMnistDefaults,
  loadFashionMnist,
} from './loaders/fashion-mnist.js';
export {
  type DecodeImageOptions,
  decodeImageRgb,
  decodeSingleChannel,
  type PixelBox,
  type RawMap,
  resizeNearest,
} from './loaders/image-decoding.js';
export {
  checkIndex,
  type LabelMaskOption,
  resolveInside,
  resolveLabelMask,
} from './loaders/loader-support.js';
export {
  createMtanNpySource,
  type MtanLabelEncoding,
  type MtanLayoutOptions,
  type MtanLayoutTask,
  type MtanSampleSource,
} from './loaders/mtan-npy-layout.js';
export { createNyuv2Source, type Nyuv2Options, nyuv2Defaults } from './loaders/nyuv2.js';
export { createRafAuSource, type RafAuOptions, rafAuDefaults } from './loaders/raf-au.js';
export {
  createRafDbSource,
  type RafDbOptions,
  rafDbDefaults,
  rafDbExpressionCodes,
} from './loaders/raf-db.js';
export {
  createTaskonomySource,
  type TaskonomyDomain,
  type TaskonomyEncoding,
  type TaskonomyOptions,
  type TaskonomySource,
  taskonomyDomains,
} from './loaders/taskonomy.js';
export { createUnionSource, type UnionSource } from './loaders/union-source.js';
export { assembleBatch, batchTensors, labelShapeOf } from './pipeline/assemble-batch.js';
export {
  BatchLoader,
  type BatchLoaderOptions,
  type BatchLoaderState,
  type BatchProgress,
  batchLoaderDefaults,
  createBatchLoader,
  type EvaluationBatchOptions,
  evaluationBatches,
} from './pipeline/batch-loader.js';
export {
  fillValueOf,
  type PackedBatch,
  type PackedView,
  packBatch,
  prepareBatch,
} from './pipeline/pack-batch.js';
export {
  labelSizeOf,
  type PreparedSample,
  type PreparedView,
  prepareSample,
  type SampleJob,
} from './pipeline/prepare-sample.js';
export {
  type DescribedSampleSource,
  descriptorOf,
  openSource,
  type SourceDescriptor,
  type SourceFactory,
  sourceFactories,
} from './pipeline/source-registry.js';
export { SampleWorkerPool, type WorkerPoolOptions } from './pipeline/worker-pool.js';
export {
  type LoadSplitTableOptions,
  loadSplitTable,
  type SplitTableFormat,
  splitTableFormatOf,
} from './splits/load-split-table.js';
export {
  type CreateSplitOptions,
  createSplit,
  type SplitScenario,
  splitScenarios,
} from './splits/scenarios.js';
export { parseSplitTableCsv, readSplitTableCsv, splitTableToCsv } from './splits/split-table-csv.js';
export {
  type ImageListSplit,
  type ImageListSplitOptions,
  readSplitTableImageLists,
  splitTableFromImageLists,
} from './splits/split-table-image-lists.js';
export { parseSplitTableJson, readSplitTableJson, splitTableToJson } from './splits/split-table-json.js';
export { readSplitTablePth, splitTableFromTorch } from './splits/split-table-pth.js';
export { type RenderedScene, renderScene, sceneClassNames, sceneSeed } from './synthetic/scene-renderer.js';
export {
  createSyntheticAffect,
  renderAffectSample,
  type SyntheticAffectOptions,
  syntheticAffectClassNames,
  syntheticAffectDefaults,
  syntheticAffectRelatedness,
  syntheticAffectTasks,
} from './synthetic/synthetic-affect.js';
export {
  createSyntheticScenes,
  createSyntheticTasks,
  renderSceneSample,
  type SyntheticScenesOptions,
  type SyntheticSceneTaskName,
  syntheticScenesDefaults,
  syntheticSceneTaskNames,
} from './synthetic/synthetic-scenes.js';
export {
  findSampleProblem,
  InvalidSampleError,
  type SampleValidationOptions,
  validateSample,
} from './validation/validate-sample.js';
