// Fully connected layer on explicit variables (PyTorch `nn.Linear` shape semantics, weights stored [in, out]),
// Xavier-normal weights and zero bias (Glorot & Bengio 2010), as our classification heads use.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { countingOutput } from './counting.js';
import { isCountingFlops, reportMultiplyAdds } from './flop-counter.js';
import { constantVariable, normalVariable, xavierNormalStd } from './initializers.js';
import type { LayerVariables } from './layer.js';

export interface LinearOptions {
  /** Stable name: variables are `<name>.weight` [in, out] and `<name>.bias` [out]. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly random: RandomSource;
}

export interface LinearLayer extends LayerVariables {
  readonly name: string;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  /** x [B, inFeatures] → [B, outFeatures]; a new tensor the caller owns. */
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

export function createLinear(options: LinearOptions): LinearLayer {
  const { name, inFeatures, outFeatures } = options;
  for (const [field, value] of [
    ['inFeatures', inFeatures],
    ['outFeatures', outFeatures],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`linear '${name}'.${field}: expected a positive integer, got ${value}`);
  }
  const weight = normalVariable(
    [inFeatures, outFeatures],
    xavierNormalStd(inFeatures, outFeatures),
    options.random,
    `${name}.weight`,
  );
  const bias = constantVariable([outFeatures], 0, true, `${name}.bias`);
  return {
    name,
    weight,
    bias,
    trainableVariables: [weight, bias],
    namedVariables() {
      return new Map<string, tf.Variable>([
        [`${name}.weight`, weight],
        [`${name}.bias`, bias],
      ]);
    },
    apply(x) {
      if (x.rank !== 2 || x.shape[1] !== inFeatures) {
        throw new Error(`linear '${name}': expected input [B, ${inFeatures}], got [${x.shape.join(', ')}]`);
      }
      if (isCountingFlops()) {
        reportMultiplyAdds(x.shape[0] * outFeatures * (inFeatures + 1));
        return countingOutput([x.shape[0], outFeatures]) as tf.Tensor2D;
      }
      return tf.tidy(() => tf.add(tf.matMul(x, weight as tf.Tensor2D), bias) as tf.Tensor2D);
    },
    dispose() {
      weight.dispose();
      bias.dispose();
    },
  };
}
