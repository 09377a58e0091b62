// Dense task head of MTAN/MTPSL/JTR: Conv3×3(h → h) → Conv1×1(h → C), no norm or activation between
// (arXiv 1803.10704; JTR spec §5). Output: segmentation logits, raw depth, edges raw (logits of edge maps; the
// loss decides), regression raw, normals L2-normalised over channels: n / max(‖n‖, 1e-12) as F.normalize.

import type { RandomSource, TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { createConv2d } from '../layers/conv2d.js';
import { type LayerVariables, mergeNamedVariables } from '../layers/layer.js';

export const normalsEpsilon = 1e-12;

export interface DenseHeadOptions {
  readonly name: string;
  readonly task: TaskSpec;
  /** Channels of the shared map (h). */
  readonly inChannels: number;
  readonly random: RandomSource;
}

export interface TaskHead extends LayerVariables {
  readonly task: TaskSpec;
  /** Prediction of the task from the shared feature; a new tensor the caller owns. */
  apply(shared: tf.Tensor): tf.Tensor;
}

/**
 * L2 norm over the last axis, clamped below at `epsilon`, written as sqrt(max(‖x‖², ε²)): the same values as
 * max(‖x‖, ε), but a zero vector gets a zero gradient, where the gradient of √ at 0 (Inf) times the clamp's 0 would
 * be NaN. Also the regularizers' cosine distances. Returns a new tensor.
 */
export function clampedNorm(x: tf.Tensor, keepDims = false, epsilon = normalsEpsilon): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, keepDims), epsilon * epsilon)));
}

/** Divides x [..., C] by its `clampedNorm` over the last axis. Returns a new tensor. */
export function l2NormalizeChannels(x: tf.Tensor, epsilon = normalsEpsilon): tf.Tensor {
  return tf.tidy(() => tf.div(x, clampedNorm(x, true, epsilon)));
}

export function createDenseHead(options: DenseHeadOptions): TaskHead {
  const { name, task, inChannels, random } = options;
  const hidden = createConv2d({
    name: `${name}.conv0`,
    inChannels,
    outChannels: inChannels,
    kernelSize: 3,
    random,
  });
  const output = createConv2d({
    name: `${name}.conv1`,
    inChannels,
    outChannels: task.channels,
    kernelSize: 1,
    random,
  });
  const layers = [hidden, output];
  return {
    task,
    trainableVariables: [...hidden.trainableVariables, ...output.trainableVariables],
    namedVariables: () => mergeNamedVariables(layers),
    apply(shared) {
      if (shared.rank !== 4) {
        throw new Error(
          `head '${task.name}': dense tasks need a feature map [B, H, W, C], got [${shared.shape.join(', ')}]`,
        );
      }
      return tf.tidy(() => {
        const raw = output.apply(hidden.apply(shared as tf.Tensor4D));
        return task.kind === 'normals' ? l2NormalizeChannels(raw) : raw;
      });
    },
    dispose() {
      hidden.dispose();
      output.dispose();
    },
  };
}
