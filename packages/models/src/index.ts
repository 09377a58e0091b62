// Public API of @partial-mtl/models: layers, backbones (SegNet, ResNet, small CNN) and their registry, task heads,
// the multi-task network, task losses, folder save/load and the network summary. See README.md for the papers.
export { createSegNet, createSegNetDecoder, createSegNetEncoder, segnetChannels, segnetStageChannels, segnetStageRepeats } from './backbones/segnet.js';
export type { SegNetBackbone, SegNetDecoder, SegNetEncoder, SegNetEncoderOutput, SegNetOptions, SegNetPartOptions } from './backbones/segnet.js';
export { createResNet, resnetDefaults, resnetStageBlocks, type ResNetDepth, type ResNetOptions } from './backbones/resnet.js';
export { createSmallCnn, smallCnnDefaults, type SmallCnnOptions } from './backbones/small-cnn.js';
export { checkImages, type Backbone, type BackboneOptions, type BackboneOutput } from './backbones/backbone.js';
export { createClassificationHead, globalAveragePool, type ClassificationHeadOptions } from './heads/classification-head.js';
export { createDenseHead, l2NormalizeChannels, normalsEpsilon, type DenseHeadOptions, type TaskHead } from './heads/dense-head.js';
export { createHead, type CreateHeadOptions } from './heads/create-head.js';
export { batchNormTrain, type BatchNormTrainResult } from './layers/batch-norm.js';
export { batchNormDefaults, createBatchNorm, type BatchNormLayer, type BatchNormOptions } from './layers/batch-norm-layer.js';
export { conv2dDefaults, createConv2d, type Conv2dLayer, type Conv2dOptions } from './layers/conv2d.js';
export { createConvBnRelu, type ConvBnReluBlock, type ConvBnReluOptions } from './layers/conv-bn-relu.js';
export { countMultiplyAdds } from './layers/flop-counter.js';
export { constantVariable, normalVariable, xavierNormalStd } from './layers/initializers.js';
export { collectTrainable, disposeAll, mergeNamedVariables, type LayerVariables } from './layers/layer.js';
export { createLinear, type LinearLayer, type LinearOptions } from './layers/linear.js';
export { maxPool2x2, maxUnpool2x2, unpoolTiesModes, upsampleNearest2x, type MaxPoolResult, type UnpoolTies } from './layers/max-pool.js';
export { maskedL1, maskedL1Defaults, type MaskedL1Options } from './losses/masked-l1.js';
export { maskedL2, maskedL2Defaults, type MaskedL2Options } from './losses/masked-l2.js';
export { multiclassCrossEntropy, multiclassCrossEntropyDefaults, type MulticlassCrossEntropyOptions } from './losses/multiclass-cross-entropy.js';
export {
  multilabelBinaryCrossEntropy,
  multilabelBinaryCrossEntropyDefaults,
  type MultilabelBinaryCrossEntropyOptions,
} from './losses/multilabel-binary-cross-entropy.js';
export { normalsCosine, normalsCosineDefaults, type NormalsCosineOptions } from './losses/normals-cosine.js';
export { lossNormalisations, reduceMaskedLoss, type LossNormalisation } from './losses/reduce-masked.js';
export { segmentationCrossEntropy, segmentationCrossEntropyDefaults, type SegmentationCrossEntropyOptions } from './losses/segmentation-cross-entropy.js';
export { supervisedLoss, taskLoss, type TaskLossOptions } from './losses/supervised-loss.js';
export {
  createMultiTaskNetwork,
  disposeNetworkOutput,
  multiTaskNetworkDefaults,
  type MultiTaskNetworkConfig,
  type MultiTaskNetworkOptions,
  type PartialMtlNetwork,
} from './network.js';
export { backboneExtraOptions, backboneFactory, backboneNames, backboneRegistry, type BackboneFactory, type BackboneFactoryOptions, type BackboneName } from './registry.js';
export {
  createFolderIOHandler,
  folderFormat,
  folderIOHandlerDefaults,
  modelJsonFileName,
  readFolderModelJson,
  writeFolderAtomic,
  type FolderIOHandler,
  type FolderIOHandlerOptions,
  type FolderModelJson,
} from './io/folder-io-handler.js';
export { loadNetwork, saveNetwork } from './io/network-io.js';
export {
  assignVariables,
  loadVariables,
  modelJsonPathOf,
  saveVariables,
  type AssignVariablesOptions,
  type JsonValue,
  type LoadedVariables,
} from './io/variables-io.js';
export { formatNetworkSummary, summarizeNetwork, type NetworkSummary, type SummaryOptions } from './summary.js';
