// Pair index and input preparation of pairwise cross-task consistency (Li, Liu & Bilen, "Learning Multiple Dense
// Prediction Tasks from Partially Annotated Data", CVPR 2022, arXiv 2111.14893; official code VICO-UoE/MTPSL):
// k(s, t) over the T×T grid without its diagonal, prepPred on predictions and prepGT on labels (pairwise.md §1–2).

import type { RandomSource, TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { type CategoricalEncoding, categoricalSample, oneHotWithIgnore } from './jtr-encoding.js';

/** Number of ordered task pairs, T(T − 1). */
export function pairCount(taskCount: number): number {
  return taskCount * (taskCount - 1);
}

/** k(s, t) = s·(T − 1) + t − [t > s]: row-major over the T×T grid with the diagonal removed. */
export function pairIndex(source: number, target: number, taskCount: number): number {
  if (source === target) throw new Error(`pairIndex: source and target must differ (both ${source})`);
  if (source < 0 || target < 0 || source >= taskCount || target >= taskCount) {
    throw new Error(`pairIndex: (${source}, ${target}) out of range for ${taskCount} tasks`);
  }
  return source * (taskCount - 1) + target - (target > source ? 1 : 0);
}

const maxEpsilon = 1e-12;

/** Divides each sample's map by its maximum over the whole map (+1e-12). */
function divideBySampleMax(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.div(x, tf.add(tf.max(x, x.shape.map((_, axis) => axis).slice(1), true), maxEpsilon)),
  );
}

/**
 * prepPred: seg → hard straight-through Gumbel-softmax (τ 1) of the logits (MTPSL; `segmentation: 'softmax'` is an
 * extension, the deterministic class probabilities); depth → p / (max p + 1e-12) per sample; normals → (p + 1)/2;
 * other dense tasks unchanged. Gradients flow (through the straight-through sample for seg).
 */
export function preparePrediction(
  task: TaskSpec,
  prediction: tf.Tensor,
  random: RandomSource,
  segmentation: CategoricalEncoding = 'straight-through-gumbel',
): tf.Tensor4D {
  return tf.tidy(() => {
    switch (task.kind) {
      case 'segmentation':
        return categoricalSample(prediction, segmentation, random) as tf.Tensor4D;
      case 'depth':
        return divideBySampleMax(prediction) as tf.Tensor4D;
      case 'normals':
        return tf.div(tf.add(prediction, 1), 2) as tf.Tensor4D;
      default:
        return tf.clone(prediction) as tf.Tensor4D;
    }
  });
}

/** prepGT: seg → one-hot with zeros at −1; depth → y / (max y + 1e-12) per sample; normals → (y + 1)/2. */
export function prepareLabel(task: TaskSpec, label: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    switch (task.kind) {
      case 'segmentation':
        return oneHotWithIgnore(label, task.channels) as tf.Tensor4D;
      case 'depth':
        return divideBySampleMax(label) as tf.Tensor4D;
      case 'normals':
        return tf.div(tf.add(label, 1), 2) as tf.Tensor4D;
      default:
        return tf.clone(label) as tf.Tensor4D;
    }
  });
}
