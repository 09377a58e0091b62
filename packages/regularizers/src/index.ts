export type { RegularizerBaseOptions } from './common-options.js';
export {
  type ConsistencyOptions,
  type ConsistencySettings,
  consistencyDefaults,
  createConsistencyRegularization,
  disagreementPerSample,
} from './consistency.js';
export {
  cosineDistance,
  cosineDistancePerSample,
  cosineSimilarity,
  crossSampleSimilarity,
} from './cosine-distance.js';
export {
  binaryCrossEntropyWithLogits,
  type ClassificationTensors,
  classificationTensors,
  createDistributionMatching,
  type DistributionMatchingOptions,
  type DistributionMatchingSettings,
  distributionMatchingDefaults,
  distributionMatchingTerms,
  resolveRelatedness,
  supervisedClassificationLoss,
} from './distribution-matching.js';
export {
  buildJtrViewStacks,
  cleanJtrQuirks,
  createJointTaskRegularization,
  faithfulJtrQuirks,
  type JtrOptions,
  type JtrQuirks,
  type JtrRegularizer,
  type JtrSettings,
  type JtrViewSlice,
  type JtrViewStacks,
  jtrDefaults,
  resolveJtrOptions,
  singlePositionLatentWarning,
} from './jtr.js';
export {
  type CategoricalEncoding,
  categoricalSample,
  type DepthPhiConstants,
  depthPhiDefaults,
  detachWhereLabelled,
  type EncodingSettings,
  encodeLabel,
  encodePrediction,
  jointMask,
  oneHotWithIgnore,
  phi,
  validityMap,
} from './jtr-encoding.js';
export { type ReconstructionSettings, reconstructionLossPerSample } from './jtr-reconstruction.js';
export {
  createFilmMappingNetwork,
  type FilmMappingNetwork,
  type FilmMappingNetworkOptions,
  mappingStageRepeats,
} from './networks/film-mapping-network.js';
export {
  createJtrAutoEncoder,
  type JtrAutoEncoder,
  type JtrAutoEncoderOptions,
} from './networks/jtr-auto-encoder.js';
export { createNoRegularization, type NoRegularizationOptions, noRegularizationDefaults } from './none.js';
export {
  consistencyWeightAt,
  createPairwiseConsistency,
  type MappingCollapseReport,
  mappingCollapseReport,
  type PairwiseOptions,
  type PairwiseRegularizer,
  type PairwiseSettings,
  pairwiseDefaults,
  samplePairs,
  singlePositionWarning,
} from './pairwise.js';
export { pairCount, pairIndex, prepareLabel, preparePrediction } from './pairwise-preparation.js';
export {
  createRegularizer,
  isRegularizerName,
  type RegularizerName,
  type RegularizerOptionsByName,
  regularizerFactories,
  regularizerNames,
  regularizerOptionNames,
} from './registry.js';
export {
  actionUnitNumber,
  type CoannotatedData,
  canonicalExpressionNames,
  type Du2014Options,
  du2014ExpressionPriors,
  du2014Relatedness,
  estimateRelatedness,
} from './relatedness.js';
