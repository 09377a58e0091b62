// Options every regularizer factory accepts, and small helpers shared by the regularizer files.

import type { TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

/** Options every factory takes: the task list (network output order) and a seed for its initialisation. */
export interface RegularizerBaseOptions {
  readonly tasks: readonly TaskSpec[];
  /** Seed of the regularizer's own weight initialisation (default 0). Per-step noise comes from the input's random. */
  readonly seed?: number;
}

/** Index of a task name in the batch's label-mask columns; throws if absent. */
export function maskColumnOf(taskNames: readonly string[], task: string): number {
  const column = taskNames.indexOf(task);
  if (column < 0) throw new Error(`batch has no task '${task}' (tasks: ${taskNames.join(', ')})`);
  return column;
}

/** The prediction of a task from an output record; throws naming the missing task. */
export function predictionOf(predictions: Readonly<Record<string, tf.Tensor>>, task: string): tf.Tensor {
  const prediction = predictions[task];
  if (!prediction) throw new Error(`network output has no prediction for task '${task}'`);
  return prediction;
}

/** The label of a task from a batch; throws naming the missing task. */
export function labelOf(labels: Readonly<Record<string, tf.Tensor>>, task: string): tf.Tensor {
  const label = labels[task];
  if (!label) throw new Error(`batch has no label for task '${task}'`);
  return label;
}

/**
 * Throws unless each named setting holds one of its allowed values, naming the method, the field and the choices: a
 * misspelt choice (say `mode: 'fathful'`) must not quietly select another branch.
 */
export function checkChoices(
  method: string,
  settings: object,
  choices: Readonly<Record<string, readonly (string | boolean)[]>>,
): void {
  for (const [field, allowed] of Object.entries(choices)) {
    const value = (settings as Record<string, unknown>)[field];
    if (!allowed.includes(value as string | boolean)) {
      throw new Error(
        `${method}: ${field} must be one of ${allowed.map((choice) => JSON.stringify(choice)).join(', ')}; got ${JSON.stringify(value)}`,
      );
    }
  }
}

/**
 * Throws unless each named setting is a finite number at or above its bound (`'≥ 0'`) or above it (`'> 0'`), naming
 * the method and the field: a weight of NaN or −1 would otherwise train something other than what was asked for.
 */
export function checkNumbers(
  method: string,
  settings: object,
  bounds: Readonly<Record<string, '≥ 0' | '> 0'>>,
): void {
  for (const [field, bound] of Object.entries(bounds)) {
    const value = (settings as Record<string, unknown>)[field];
    const ok =
      typeof value === 'number' && Number.isFinite(value) && (bound === '≥ 0' ? value >= 0 : value > 0);
    if (!ok)
      throw new Error(`${method}: ${field} must be a finite number ${bound}; got ${JSON.stringify(value)}`);
  }
}

const warnedThisProcess = new Set<string>();

/**
 * A function that passes on the first message it gets and drops the rest (one warning per regularizer instance):
 * to `warn` when given, else to `console.warn` once per process and message.
 */
export function warnOnce(warn?: (message: string) => void): (message: string) => void {
  let warned = false;
  return (message) => {
    if (warned) return;
    warned = true;
    if (warn) warn(message);
    else if (!warnedThisProcess.has(message)) {
      warnedThisProcess.add(message);
      console.warn(`[partial-mtl] ${message}`);
    }
  };
}

/** A scalar zero with no gradient path (for empty terms). */
export function zeroScalar(): tf.Scalar {
  return tf.scalar(0);
}

/**
 * weight · term, where a weight of 0 switches the term off: the result is then a fresh zero tensor with no path
 * back to the term, so the term sends no gradient at all (0 · a term whose gradient is NaN or ±Inf somewhere would
 * still give NaN, and a null control with weight 0 must leave training exactly as without the term). The term is
 * still computed (for logging). Returns a new tensor.
 */
export function weighted(weight: number, term: tf.Tensor): tf.Tensor {
  return weight === 0 ? tf.zeros(term.shape) : tf.mul(weight, term);
}
