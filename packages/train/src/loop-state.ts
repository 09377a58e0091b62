// The loop's resumable state and its checkpoint round trip: network and regularizer variables, optimizer
// state, step/epoch/position in the epoch, RNG state, learning-rate multipliers, best-so-far and early-stopping
// counters. Everything a resumed run needs to continue exactly where the saved one was.

import { type MultiTaskNetwork, RandomSource, type RandomState, type Regularizer } from '@partial-mtl/core';
import type * as tf from '@tensorflow/tfjs';
import { assignVariables, loadCheckpoint, prefixed, saveCheckpoint } from './checkpoint.js';
import type { MetricTable } from './loop-options.js';
import {
  type LearningRateState,
  type OptimizerGroup,
  optimizerStateTensors,
  restoreOptimizerState,
} from './optimizer-groups.js';

export interface BestSoFar {
  readonly deltaM: number;
  readonly step: number;
  readonly epoch: number;
  readonly metrics: MetricTable;
}

export interface LoopState {
  step: number;
  epoch: number;
  /** Batches of `epoch` already consumed. */
  batchInEpoch: number;
  learningRate: LearningRateState;
  baseline: MetricTable | undefined;
  best: BestSoFar | undefined;
  lastMetrics: MetricTable | undefined;
  evaluationsWithoutImprovement: number;
  skippedBatches: number;
  /** State of the run's root random source (per-purpose streams are forks of it). */
  random: RandomState;
  /** The training batch source's own iteration state, when it has one. */
  loaderState?: unknown;
}

export function initialLoopState(seed: number): LoopState {
  return {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    learningRate: { multiplier: 1 },
    baseline: undefined,
    best: undefined,
    lastMetrics: undefined,
    evaluationsWithoutImprovement: 0,
    skippedBatches: 0,
    random: new RandomSource(seed).getState(),
  };
}

export interface StatefulParts {
  readonly network: MultiTaskNetwork;
  readonly regularizer: Regularizer;
  readonly groups: readonly OptimizerGroup[];
}

/** Writes a full checkpoint (weights, optimizer and loop state) to `directory` (e.g. outDir/checkpoints/last). */
export async function writeLoopCheckpoint(
  directory: string,
  parts: StatefulParts,
  state: LoopState,
): Promise<void> {
  const optimizerTensors = await optimizerStateTensors(parts.groups);
  try {
    const tensors = new Map<string, tf.Tensor>([
      ...prefixed(parts.network.namedVariables(), 'network/'),
      ...prefixed(parts.regularizer.namedVariables(), 'regularizer/'),
      ...optimizerTensors,
    ]);
    await saveCheckpoint(directory, tensors, {
      ...state,
      networkConfig: parts.network.config,
      regularizer: parts.regularizer.name,
    });
  } finally {
    for (const tensor of optimizerTensors.values()) tensor.dispose();
  }
}

/** Restores everything from a checkpoint directory; returns the loop state. Throws when there is no valid checkpoint. */
export async function readLoopCheckpoint(
  directory: string,
  parts: StatefulParts,
  options: { weightsOnly?: boolean } = {},
): Promise<LoopState> {
  const loaded = loadCheckpoint(directory);
  if (!loaded) throw new Error(`resume: no checkpoint in ${directory}`);
  try {
    if (loaded.state.regularizer !== parts.regularizer.name) {
      throw new Error(
        `resume: the checkpoint was written with regularizer '${String(loaded.state.regularizer)}', this run uses '${parts.regularizer.name}'`,
      );
    }
    assignVariables(parts.network.namedVariables(), loaded.tensors, 'network/');
    assignVariables(parts.regularizer.namedVariables(), loaded.tensors, 'regularizer/');
    if (!options.weightsOnly) await restoreOptimizerState(parts.groups, loaded.tensors);
    const { networkConfig: _config, regularizer: _name, ...state } = loaded.state;
    return state as unknown as LoopState;
  } finally {
    for (const tensor of loaded.tensors.values()) tensor.dispose();
  }
}
