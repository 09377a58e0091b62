// The 'none' regularizer: plain supervised multi-task learning (the supervised losses live in the models
// package). It has no variables, asks for no views and returns a zero loss, so swapping a regularizer in or out
// of a training script is a one-argument change.

import type { LossWithParts, Regularizer, RegularizerInput, VariableGroup } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import type { RegularizerBaseOptions } from './common-options.js';

export type NoRegularizationOptions = RegularizerBaseOptions;

export const noRegularizationDefaults = {} as const;

/** Creates the 'none' regularizer. Its loss is a scalar zero (owned by the caller). */
export function createNoRegularization(_options: NoRegularizationOptions): Regularizer {
  return {
    name: 'none',
    viewsNeeded: 0,
    variableGroups: (): readonly VariableGroup[] => [],
    namedVariables: () => new Map<string, tf.Variable>(),
    loss: (_input: RegularizerInput): LossWithParts => ({ loss: tf.scalar(0), parts: {} }),
    dispose: () => {},
  };
}
