// Public API of @partial-mtl/models: layers, backbones (SegNet, ResNet, small CNN) and their registry, task heads,
// the multi-task network, task losses, folder save/load and the network summary. See README.md for the papers.

export {
  type Backbone,
  type BackboneOptions,
  type BackboneOutput,
  checkImages,
} from './backbones/backbone.js';
export {
  createResNet,
  type ResNetDepth,
  type ResNetOptions,
  resnetDefaults,
  resnetStageBlocks,
} from './backbones/resnet.js';
export type {
  SegNetBackbone,
  SegNetDecoder,
  SegNetEncoder,
  SegNetEncoderOutput,
  SegNetOptions,
  SegNetPartOptions,
} from './backbones/segnet.js';
export {
  checkSegNetStages,
  createSegNet,
  createSegNetDecoder,
  createSegNetEncoder,
  segnetChannels,
  segnetDefaultStages,
  segnetStageChannels,
  segnetStageRepeats,
} from './backbones/segnet.js';
export { createSmallCnn, type SmallCnnOptions, smallCnnDefaults } from './backbones/small-cnn.js';
export {
  type ClassificationHeadOptions,
  createClassificationHead,
  globalAveragePool,
} from './heads/classification-head.js';
export { type CreateHeadOptions, createHead } from './heads/create-head.js';
export {
  clampedNorm,
  createDenseHead,
  type DenseHeadOptions,
  l2NormalizeChannels,
  normalsEpsilon,
  type TaskHead,
} from './heads/dense-head.js';
export {
  createFolderIOHandler,
  type FolderIOHandler,
  type FolderIOHandlerOptions,
  type FolderModelJson,
  folderFormat,
  folderIOHandlerDefaults,
  modelJsonFileName,
  readFolderModelJson,
  writeFolderAtomic,
} from './io/folder-io-handler.js';
export { loadNetwork, saveNetwork } from './io/network-io.js';
export {
  type AssignVariablesOptions,
  assignVariables,
  type JsonValue,
  type LoadedVariables,
  loadVariables,
  modelJsonPathOf,
  saveVariables,
} from './io/variables-io.js';
export { type BatchNormTrainResult, batchNormTrain } from './layers/batch-norm.js';
export {
  type BatchNormLayer,
  type BatchNormOptions,
  batchNormDefaults,
  createBatchNorm,
} from './layers/batch-norm-layer.js';
export { type ConvBnReluBlock, type ConvBnReluOptions, createConvBnRelu } from './layers/conv-bn-relu.js';
export { type Conv2dLayer, type Conv2dOptions, conv2dDefaults, createConv2d } from './layers/conv2d.js';
export { countMultiplyAdds } from './layers/flop-counter.js';
export { constantVariable, normalVariable, xavierNormalStd } from './layers/initializers.js';
export { collectTrainable, disposeAll, type LayerVariables, mergeNamedVariables } from './layers/layer.js';
export { createLinear, type LinearLayer, type LinearOptions } from './layers/linear.js';
export {
  type MaxPoolResult,
  maxPool2x2,
  maxUnpool2x2,
  type UnpoolTies,
  unpoolTiesModes,
  upsampleNearest2x,
} from './layers/max-pool.js';
export { type MaskedL1Options, maskedL1, maskedL1Defaults } from './losses/masked-l1.js';
export { type MaskedL2Options, maskedL2, maskedL2Defaults } from './losses/masked-l2.js';
export {
  type MulticlassCrossEntropyOptions,
  multiclassCrossEntropy,
  multiclassCrossEntropyDefaults,
} from './losses/multiclass-cross-entropy.js';
export {
  type MultilabelBinaryCrossEntropyOptions,
  multilabelBinaryCrossEntropy,
  multilabelBinaryCrossEntropyDefaults,
} from './losses/multilabel-binary-cross-entropy.js';
export { type NormalsCosineOptions, normalsCosine, normalsCosineDefaults } from './losses/normals-cosine.js';
export { type LossNormalisation, lossNormalisations, reduceMaskedLoss } from './losses/reduce-masked.js';
export {
  type SegmentationCrossEntropyOptions,
  segmentationCrossEntropy,
  segmentationCrossEntropyDefaults,
} from './losses/segmentation-cross-entropy.js';
export { supervisedLoss, type TaskLossOptions, taskLoss } from './losses/supervised-loss.js';
export {
  createMultiTaskNetwork,
  disposeNetworkOutput,
  type MultiTaskNetworkConfig,
  type MultiTaskNetworkOptions,
  multiTaskNetworkDefaults,
  type PartialMtlNetwork,
} from './network.js';
export {
  type BackboneFactory,
  type BackboneFactoryOptions,
  type BackboneName,
  backboneExtraOptions,
  backboneFactory,
  backboneNames,
  backboneRegistry,
} from './registry.js';
export {
  formatNetworkSummary,
  type NetworkSummary,
  type SummaryOptions,
  summarizeNetwork,
} from './summary.js';
