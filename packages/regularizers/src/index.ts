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
  createRegularizer,
  isRegularizerName,
  regularizerFactories,
  regularizerNames,
  type RegularizerName,
  type RegularizerOptionsByName,
} from './registry.js';
