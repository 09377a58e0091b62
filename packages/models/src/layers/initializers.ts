// Seeded weight initialisation as MTAN/MTPSL/JTR do it (PyTorch `nn.init.xavier_normal_` on convs, zero bias):
// Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural networks" (AISTATS 2010).
// Draws come from `tf.randomNormal` seeded by a core RandomSource, so one global seed fixes every weight.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

/** Standard deviation of Xavier-normal init: gain · sqrt(2 / (fanIn + fanOut)). */
export function xavierNormalStd(fanIn: number, fanOut: number, gain = 1): number {
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * A trainable variable of `shape` drawn from N(0, std²) with a seed taken from `random` (advancing it).
 * The caller owns the variable.
 */
export function normalVariable(
  shape: readonly number[],
  std: number,
  random: RandomSource,
  name: string,
): tf.Variable {
  return tf.tidy(() =>
    tf.variable(tf.randomNormal([...shape], 0, std, 'float32', random.tfSeed()), true, uniqueName(name)),
  );
}

/** A variable filled with `value` (zero bias, BN γ = 1 / β = 0, running statistics). */
export function constantVariable(
  shape: readonly number[],
  value: number,
  trainable: boolean,
  name: string,
): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill([...shape], value, 'float32'), trainable, uniqueName(name)));
}

let counter = 0;
/**
 * TensorFlow.js keeps a global registry of variable names and throws on duplicates, so every engine-level name
 * gets a unique suffix. Stable names (for checkpoints) live in each layer's `namedVariables`, not here.
 */
function uniqueName(name: string): string {
  counter += 1;
  return `${name}#${counter}`;
}
