// Classification head (multiclass or multilabel logits): global average pooling when the shared feature is a
// map, then one linear layer, as the face/affect multi-task networks do (e.g. FaceBehaviorNet, Kollias et al.,
// arXiv 1910.11111). Outputs raw logits [B, C]; softmax / sigmoid belong to the losses and metrics.

import type { RandomSource, TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { mergeNamedVariables } from '../layers/layer.js';
import { createLinear } from '../layers/linear.js';
import type { TaskHead } from './dense-head.js';

export interface ClassificationHeadOptions {
  readonly name: string;
  readonly task: TaskSpec;
  /** Features per sample (channels of the shared map or length of the shared vector). */
  readonly inChannels: number;
  readonly random: RandomSource;
}

/** Mean over height and width of [B, H, W, C] → [B, C]; a [B, C] input is returned as a copy. */
export function globalAveragePool(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => (features.rank === 4 ? tf.mean(features, [1, 2]) : tf.clone(features)) as tf.Tensor2D);
}

export function createClassificationHead(options: ClassificationHeadOptions): TaskHead {
  const { name, task, inChannels, random } = options;
  const linear = createLinear({
    name: `${name}.linear`,
    inFeatures: inChannels,
    outFeatures: task.channels,
    random,
  });
  return {
    task,
    trainableVariables: linear.trainableVariables,
    namedVariables: () => mergeNamedVariables([linear]),
    apply(shared) {
      if (shared.rank !== 4 && shared.rank !== 2) {
        throw new Error(
          `head '${task.name}': expected a feature map [B, H, W, C] or vector [B, C], got [${shared.shape.join(', ')}]`,
        );
      }
      return tf.tidy(() => linear.apply(globalAveragePool(shared)));
    },
    dispose: () => linear.dispose(),
  };
}
