export { fsyncDirectory, temporaryPathFor, writeFileAtomic } from './atomic-write.js';
export {
  type BackendName,
  type BackendSelection,
  backendCandidates,
  explainBackendFailure,
  installNodeUtilPolyfill,
  isModuleNotFound,
  parseBackendName,
  type SelectBackendOptions,
  type SkippedBackend,
  selectBackend,
} from './backend.js';
export {
  type ArrayData,
  type DenseArray,
  disposeBatch,
  labelMaskColumn,
  type Sample,
  type SampleSource,
  type TaskBatch,
} from './batch.js';
export type {
  LossWithParts,
  MultiTaskNetwork,
  NetworkOutput,
  Regularizer,
  RegularizerInput,
  VariableGroup,
} from './contracts.js';
export {
  type GumbelSoftmaxOptions,
  gumbelNoise,
  gumbelSoftmax,
  hardOneHot,
  oneHotFloat32,
} from './gumbel.js';
export { LabelMaskTable } from './label-mask.js';
export { RandomSource, type RandomState } from './random.js';
export { stopGradient, straightThrough } from './stop-gradient.js';
export {
  cityscapesTasks,
  defaultLossKind,
  defineTask,
  defineTasks,
  ignoreValueOf,
  isDenseTask,
  type LossKind,
  lossKindOf,
  nyuv2Tasks,
  type TaskKind,
  type TaskSpec,
} from './tasks.js';
export {
  type BatchNormTrainResult,
  batchNormTrain,
  conv2dFilterGradient,
  conv2dInputGradient,
  dilateByStride,
  disableWasmTraining,
  enableWasmTraining,
  FusedAdamOptimizer,
  flipFilter,
  forwardConvGradientBackends,
  fusedAdam,
  initWasmWithThreads,
  isWasmTrainingEnabled,
  type WasmBackendModule,
  type WasmThreadsResult,
} from './wasm-training/index.js';
