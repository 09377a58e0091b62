export { writeFileAtomic, fsyncDirectory, temporaryPathFor } from './atomic-write.js';
export {
  backendCandidates,
  explainBackendFailure,
  installNodeUtilPolyfill,
  isModuleNotFound,
  parseBackendName,
  selectBackend,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
  type SkippedBackend,
} from './backend.js';
export {
  disposeBatch,
  labelMaskColumn,
  type ArrayData,
  type DenseArray,
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
export { gumbelNoise, gumbelSoftmax, hardOneHot, type GumbelSoftmaxOptions } from './gumbel.js';
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
  lossKindOf,
  nyuv2Tasks,
  type LossKind,
  type TaskKind,
  type TaskSpec,
} from './tasks.js';
