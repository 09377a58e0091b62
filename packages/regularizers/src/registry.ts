// Registry of regularizers by name: a typed record of factories built from explicit imports (no registration by
// side effect). `createRegularizer(name, options)` is the one-argument swap; an unknown name throws listing the
// valid ones.
import type { Regularizer } from '@partial-mtl/core';
import { type ConsistencyOptions, createConsistencyRegularization } from './consistency.js';
import { createDistributionMatching, type DistributionMatchingOptions } from './distribution-matching.js';
import { createJointTaskRegularization, type JtrOptions } from './jtr.js';
import { createNoRegularization, type NoRegularizationOptions } from './none.js';
import { createPairwiseConsistency, type PairwiseOptions } from './pairwise.js';

/** Options of each registered regularizer, by name. */
export interface RegularizerOptionsByName {
  none: NoRegularizationOptions;
  jtr: JtrOptions;
  pairwise: PairwiseOptions;
  'distribution-matching': DistributionMatchingOptions;
  consistency: ConsistencyOptions;
}

export type RegularizerName = keyof RegularizerOptionsByName;

type FactoryRecord = {
  readonly [Name in RegularizerName]: (options: RegularizerOptionsByName[Name]) => Regularizer;
};

export const regularizerFactories: FactoryRecord = {
  none: createNoRegularization,
  jtr: createJointTaskRegularization,
  pairwise: createPairwiseConsistency,
  'distribution-matching': createDistributionMatching,
  consistency: createConsistencyRegularization,
};

/** Registered names, in registry order. */
export const regularizerNames = Object.keys(regularizerFactories) as readonly RegularizerName[];

/** True when `name` is a registered regularizer. */
export function isRegularizerName(name: string): name is RegularizerName {
  return Object.hasOwn(regularizerFactories, name);
}

/** Creates a regularizer by name; throws listing the valid names for an unknown one. */
export function createRegularizer<Name extends RegularizerName>(
  name: Name,
  options: RegularizerOptionsByName[Name],
): Regularizer;
export function createRegularizer(
  name: string,
  options: RegularizerOptionsByName[RegularizerName],
): Regularizer;
export function createRegularizer(
  name: string,
  options: RegularizerOptionsByName[RegularizerName],
): Regularizer {
  if (!isRegularizerName(name)) {
    throw new Error(`unknown regularizer '${name}'; valid names: ${regularizerNames.join(', ')}`);
  }
  const factory = regularizerFactories[name] as (
    options: RegularizerOptionsByName[RegularizerName],
  ) => Regularizer;
  return factory(options);
}
