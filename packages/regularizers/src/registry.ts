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

/** Keys a config may set: every option but the ones the caller supplies (`tasks`, `seed`) or that hold a function. */
type ConfigOptionKey<Options> = Exclude<keyof Options, 'tasks' | 'seed' | 'warn'>;

/** A table with exactly one entry per option key: the compiler flags an option added to or dropped from a type. */
type OptionTable<Options> = { readonly [Key in ConfigOptionKey<Options>]-?: true };

const optionTables: { readonly [Name in RegularizerName]: OptionTable<RegularizerOptionsByName[Name]> } = {
  none: {},
  jtr: {
    mode: true,
    quirks: true,
    distanceWeight: true,
    reconstructionWeight: true,
    secondDistanceWeight: true,
    widthMultiplier: true,
    stages: true,
    unpoolTies: true,
    depthPhi: true,
    classificationResolution: true,
    segmentationPrediction: true,
    learningRate: true,
    schedule: true,
  },
  pairwise: {
    mode: true,
    consistencyWeight: true,
    anchorWeight: true,
    pairs: true,
    sourceTasks: true,
    rampUp: true,
    rampUpEpochs: true,
    iterationsPerEpoch: true,
    widthMultiplier: true,
    stages: true,
    mappingLearningRate: true,
    mappingSchedule: true,
    filmLearningRate: true,
    filmSchedule: true,
    diagnostics: true,
    segmentationPrediction: true,
  },
  'distribution-matching': {
    relatedness: true,
    observationalValue: true,
    alpha: true,
    auNormalisation: true,
    coannotation: true,
    direction: true,
    auToExpForm: true,
    detachTarget: true,
    dmOn: true,
    lambdaSca: true,
    lambdaDm: true,
    probabilityClip: true,
    relatednessClip: true,
    classTask: true,
    attributeTask: true,
    classNames: true,
    attributeNames: true,
    coannotatedData: true,
  },
  consistency: { consistencyWeight: true, confidenceThreshold: true },
};

/**
 * The options of a registered regularizer that a config (JSON or YAML) may set, sorted. Factories ignore keys they do
 * not read (the trainer passes one context, `widthMultiplier` and the like, to every regularizer), so a misspelt key
 * (`stage: 2`) would change nothing without a word: configs are checked against this list instead.
 */
export function regularizerOptionNames(name: RegularizerName): readonly string[] {
  return Object.keys(optionTables[name]).sort();
}

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
