export { cosineDistance, cosineDistancePerSample, cosineSimilarity } from './cosine-distance.js';
export type { RegularizerBaseOptions } from './common-options.js';
export { createNoRegularization, noRegularizationDefaults, type NoRegularizationOptions } from './none.js';
export {
  actionUnitNumber,
  canonicalExpressionNames,
  du2014ExpressionPriors,
  du2014Relatedness,
  estimateRelatedness,
  type CoannotatedData,
  type Du2014Options,
} from './relatedness.js';
export {
  binaryCrossEntropyWithLogits,
  classificationTensors,
  createDistributionMatching,
  distributionMatchingDefaults,
  distributionMatchingTerms,
  resolveRelatedness,
  supervisedClassificationLoss,
  type ClassificationTensors,
  type DistributionMatchingOptions,
  type DistributionMatchingSettings,
} from './distribution-matching.js';
export {
  categoricalSample,
  depthPhiDefaults,
  detachWhereLabelled,
  encodeLabel,
  encodePrediction,
  jointMask,
  oneHotWithIgnore,
  phi,
  validityMap,
  type CategoricalEncoding,
  type DepthPhiConstants,
  type EncodingSettings,
} from './jtr-encoding.js';
export { reconstructionLossPerSample, type ReconstructionSettings } from './jtr-reconstruction.js';
export { createJtrAutoEncoder, type JtrAutoEncoder, type JtrAutoEncoderOptions } from './networks/jtr-auto-encoder.js';
export {
  buildJtrViewStacks,
  cleanJtrQuirks,
  createJointTaskRegularization,
  faithfulJtrQuirks,
  jtrDefaults,
  resolveJtrOptions,
  type JtrOptions,
  type JtrQuirks,
  type JtrRegularizer,
  type JtrSettings,
  type JtrViewSlice,
  type JtrViewStacks,
} from './jtr.js';
export { pairCount, pairIndex, prepareLabel, preparePrediction } from './pairwise-preparation.js';
export {
  createFilmMappingNetwork,
  mappingStageRepeats,
  type FilmMappingNetwork,
  type FilmMappingNetworkOptions,
} from './networks/film-mapping-network.js';
export {
  consistencyWeightAt,
  createPairwiseConsistency,
  pairwiseDefaults,
  samplePairs,
  type PairwiseOptions,
  type PairwiseRegularizer,
  type PairwiseSettings,
} from './pairwise.js';
export {
  consistencyDefaults,
  createConsistencyRegularization,
  disagreementPerSample,
  type ConsistencyOptions,
  type ConsistencySettings,
} from './consistency.js';
export {
  createRegularizer,
  isRegularizerName,
  regularizerFactories,
  regularizerNames,
  type RegularizerName,
  type RegularizerOptionsByName,
} from './registry.js';
