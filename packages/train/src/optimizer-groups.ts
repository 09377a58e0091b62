// Optimizer groups: one tfjs optimizer per VariableGroup (the network's, then each the regularizer declares),
// each with its own base learning rate and step schedule, a shared plateau multiplier, and state that can be
// saved and restored exactly (tfjs' getWeights/setWeights, plus Adam's bias-correction accumulators).

import type { MultiTaskNetwork, Regularizer, VariableGroup } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerOptions, ScheduleOptions } from './loop-options.js';

export interface OptimizerGroup {
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  readonly baseLearningRate: number;
  readonly stepSchedule?: { readonly stepSize: number; readonly gamma: number };
  readonly optimizer: tf.Optimizer;
}

/** Learning-rate state that is not in the optimizers: multipliers from plateaus and skipped batches. */
export interface LearningRateState {
  multiplier: number;
}

/** The network's trainable variables as one group, then the regularizer's groups (empty ones dropped). */
/** The network's trainable variables: the shared backbone's, then each task head's. */
export function networkTrainableVariables(network: MultiTaskNetwork): tf.Variable[] {
  return [...network.sharedVariables, ...Object.values(network.taskVariables).flat()];
}

export function collectVariableGroups(network: MultiTaskNetwork, regularizer: Regularizer): VariableGroup[] {
  const groups: VariableGroup[] = [{ name: 'network', variables: networkTrainableVariables(network) }];
  for (const group of regularizer.variableGroups()) {
    const trainable = group.variables.filter((variable) => variable.trainable);
    if (trainable.length === 0) continue;
    if (groups.some((existing) => existing.name === group.name)) {
      throw new Error(`regularizer '${regularizer.name}': variable group name '${group.name}' is used twice`);
    }
    groups.push({ ...group, variables: trainable });
  }
  const seen = new Set<string>();
  for (const group of groups) {
    for (const variable of group.variables) {
      if (seen.has(variable.name))
        throw new Error(`variable '${variable.name}' belongs to two optimizer groups`);
      seen.add(variable.name);
    }
  }
  return groups;
}

function createOptimizer(options: OptimizerOptions, learningRate: number): tf.Optimizer {
  if (options.kind === 'adam')
    return tf.train.adam(learningRate, options.beta1, options.beta2, options.epsilon);
  if (options.momentum > 0) return tf.train.momentum(learningRate, options.momentum);
  return tf.train.sgd(learningRate);
}

export function createOptimizerGroups(
  groups: readonly VariableGroup[],
  options: OptimizerOptions,
): OptimizerGroup[] {
  return groups.map((group) => {
    const baseLearningRate = group.learningRate ?? options.learningRate;
    if (!(baseLearningRate > 0)) {
      throw new Error(`optimizer group '${group.name}': learningRate must be > 0, got ${baseLearningRate}`);
    }
    return {
      name: group.name,
      variables: group.variables,
      baseLearningRate,
      ...(group.schedule ? { stepSchedule: group.schedule } : {}),
      optimizer: createOptimizer(options, baseLearningRate),
    };
  });
}

/** The learning rate of a group at an epoch: base × step decay (group's own, else the global step schedule) × multiplier. */
export function learningRateOf(
  group: OptimizerGroup,
  epoch: number,
  schedule: ScheduleOptions,
  state: LearningRateState,
): number {
  const step = group.stepSchedule ?? (schedule.kind === 'step' ? schedule : undefined);
  const decay = step ? step.gamma ** Math.floor(epoch / step.stepSize) : 1;
  return Math.max(group.baseLearningRate * decay * state.multiplier, schedule.minLearningRate);
}

/** Sets each optimizer's learning rate for this epoch; returns the rates by group name. */
export function applyLearningRates(
  groups: readonly OptimizerGroup[],
  epoch: number,
  schedule: ScheduleOptions,
  state: LearningRateState,
): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const group of groups) {
    const rate = learningRateOf(group, epoch, schedule, state);
    // tfjs optimizers read `learningRate` at every applyGradients call (a protected field on Adam).
    (group.optimizer as unknown as { learningRate: number }).learningRate = rate;
    rates[group.name] = rate;
  }
  return rates;
}

/** Optimizer state as named tensors (caller disposes the result). */
export async function optimizerStateTensors(
  groups: readonly OptimizerGroup[],
): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  for (const group of groups) {
    const weights = await group.optimizer.getWeights();
    weights.forEach((weight, index) => out.set(`optimizer/${group.name}/${index}`, tf.clone(weight.tensor)));
    // getWeights returns a fresh 'iter' scalar (index 0) and the live accumulators: free only the scalar.
    weights[0]?.tensor.dispose();
    const adamPrivate = group.optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    if (adamPrivate.accBeta1 && adamPrivate.accBeta2) {
      out.set(`optimizer/${group.name}/accBeta1`, tf.clone(adamPrivate.accBeta1));
      out.set(`optimizer/${group.name}/accBeta2`, tf.clone(adamPrivate.accBeta2));
    }
  }
  return out;
}

/** Restores optimizer state saved by `optimizerStateTensors` (the tensors stay owned by the caller). */
export async function restoreOptimizerState(
  groups: readonly OptimizerGroup[],
  tensors: ReadonlyMap<string, tf.Tensor>,
): Promise<void> {
  for (const group of groups) {
    const weights: { name: string; tensor: tf.Tensor }[] = [];
    for (let index = 0; ; index++) {
      const tensor = tensors.get(`optimizer/${group.name}/${index}`);
      if (!tensor) break;
      weights.push({ name: `${group.name}/${index}`, tensor: tf.clone(tensor) });
    }
    if (weights.length === 0) throw new Error(`checkpoint has no optimizer state for group '${group.name}'`);
    await group.optimizer.setWeights(weights);
    weights.forEach((weight) => weight.tensor.dispose());
    // setWeights recomputes Adam's beta powers with pow(); restore the exact accumulated values instead.
    const adamPrivate = group.optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    const accBeta1 = tensors.get(`optimizer/${group.name}/accBeta1`);
    const accBeta2 = tensors.get(`optimizer/${group.name}/accBeta2`);
    if (adamPrivate.accBeta1 && accBeta1) adamPrivate.accBeta1.assign(accBeta1);
    if (adamPrivate.accBeta2 && accBeta2) adamPrivate.accBeta2.assign(accBeta2);
  }
}

export function disposeOptimizerGroups(groups: readonly OptimizerGroup[]): void {
  for (const group of groups) group.optimizer.dispose();
}
