// Joint-task stack encodings of JTR (Nishi, Kim, Li & Pfister, "Joint-Task Regularization for Partially Labeled
// Multi-Task Learning", CVPR 2024, arXiv 2404.01976; official code KentoNishi/JTR-CVPR-2024): Phi for depth,
// straight-through Gumbel / softmax for segmentation, (n+1)/2 for normals, validity masks. Beyond the paper:
// classification tasks (sigmoid or softmax / one-hot, broadcast over the map) and edges/regression (identity).

import {
  gumbelSoftmax,
  ignoreValueOf,
  isDenseTask,
  oneHotFloat32,
  type RandomSource,
  stopGradient,
  type TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

/** Gaussian CDF of the official code: Phi(x) = 0.5·(1 + erf((x − mean)/(std·√2))), NYU constants by default. */
export const depthPhiDefaults = { mean: 2.3618, std: 1.5876 } as const;

export interface DepthPhiConstants {
  readonly mean: number;
  readonly std: number;
}

/** Phi(x) elementwise; a new tensor the caller owns. */
export function phi(x: tf.Tensor, constants: DepthPhiConstants = depthPhiDefaults): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(0.5, tf.add(1, tf.erf(tf.div(tf.sub(x, constants.mean), constants.std * Math.SQRT2)))),
  );
}

/** [B, H, W, C] broadcast of a per-image vector [B, C] over an H×W map (dense tasks pass through). */
export function toMap(values: tf.Tensor, height: number, width: number): tf.Tensor4D {
  if (values.rank === 4) return values as tf.Tensor4D;
  return tf.tidy(() => {
    const [batch, channels] = values.shape as [number, number];
    return tf.mul(tf.reshape(values, [batch, 1, 1, channels]), tf.ones([1, height, width, 1])) as tf.Tensor4D;
  });
}

/** Reshapes a per-sample vector [B] to broadcast against [B, H, W, C]. */
export function perSample(values: tf.Tensor, rank = 4): tf.Tensor {
  return tf.reshape(values, [values.shape[0]!, ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * Validity map [B, H, W, 1] of a task's labels: seg y ≠ −1, depth y ≠ 0, normals Σ_c y ≠ 0, other dense tasks
 * y ≠ ignoreValue (all valid without one); classification tasks are valid everywhere.
 */
export function validityMap(task: TaskSpec, label: tf.Tensor, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const batch = label.shape[0]!;
    if (!isDenseTask(task)) return tf.ones([batch, height, width, 1]) as tf.Tensor4D;
    if (task.kind === 'normals')
      return tf.cast(tf.notEqual(tf.sum(label, -1, true), 0), 'float32') as tf.Tensor4D;
    const ignore = ignoreValueOf(task);
    if (ignore === undefined) return tf.ones([batch, height, width, 1]) as tf.Tensor4D;
    const valid = tf.cast(tf.notEqual(label, ignore), 'float32');
    return (task.kind === 'segmentation' ? valid : tf.min(valid, -1, true)) as tf.Tensor4D;
  });
}

/**
 * The joint mask m [B, H, W, 1]: product of the validity maps of each sample's labelled tasks; all ones where a
 * sample has no label. `labelled` is [B, T] in `tasks` order.
 */
export function jointMask(
  tasks: readonly TaskSpec[],
  labels: Readonly<Record<string, tf.Tensor>>,
  labelled: tf.Tensor2D,
  height: number,
  width: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    let mask: tf.Tensor = tf.ones([labelled.shape[0], height, width, 1]);
    tasks.forEach((task, column) => {
      const label = labels[task.name];
      if (!label || !isDenseTask(task)) return;
      const isLabelled = perSample(tf.squeeze(tf.slice(labelled, [0, column], [-1, 1]), [1]));
      const valid = validityMap(task, label, height, width);
      mask = tf.mul(mask, tf.add(tf.mul(isLabelled, valid), tf.sub(1, isLabelled)));
    });
    return mask as tf.Tensor4D;
  });
}

/** `labelled·stop(p) + (1 − labelled)·p`: predictions of labelled samples carry no gradient. `labelled` is [B]. */
export function detachWhereLabelled(prediction: tf.Tensor, labelled: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const weight = perSample(labelled, prediction.rank);
    return tf.add(tf.mul(weight, stopGradient(prediction)), tf.mul(tf.sub(1, weight), prediction));
  });
}

/** How a categorical prediction (segmentation, multiclass) is encoded. */
export type CategoricalEncoding = 'straight-through-gumbel' | 'softmax';

export interface EncodingSettings {
  readonly depthPhi: DepthPhiConstants;
  readonly height: number;
  readonly width: number;
}

/** A fresh straight-through Gumbel-softmax sample (τ = 1) or the softmax, over the last axis. */
export function categoricalSample(
  logits: tf.Tensor,
  encoding: CategoricalEncoding,
  random: RandomSource,
): tf.Tensor {
  return encoding === 'softmax'
    ? tf.softmax(logits, -1)
    : gumbelSoftmax(logits, random, { temperature: 1, hard: true });
}

/**
 * encPred of jtr.md §1: seg STG(logits)·m (or softmax·m), depth Phi(p·m), normals (p·m + 1)/2; multiclass like seg
 * and multilabel sigmoid, broadcast over the map and masked; edges/regression p·m. Result [B, H, W, C], new.
 */
export function encodePrediction(
  task: TaskSpec,
  prediction: tf.Tensor,
  mask: tf.Tensor4D,
  encoding: CategoricalEncoding,
  random: RandomSource,
  settings: EncodingSettings,
): tf.Tensor4D {
  return tf.tidy(() => {
    switch (task.kind) {
      case 'segmentation':
        return tf.mul(categoricalSample(prediction, encoding, random), mask) as tf.Tensor4D;
      case 'depth':
        return phi(tf.mul(prediction, mask), settings.depthPhi) as tf.Tensor4D;
      case 'normals':
        return tf.div(tf.add(tf.mul(prediction, mask), 1), 2) as tf.Tensor4D;
      case 'multiclass':
        return tf.mul(
          toMap(categoricalSample(prediction, encoding, random), settings.height, settings.width),
          mask,
        ) as tf.Tensor4D;
      case 'multilabel':
        return tf.mul(toMap(tf.sigmoid(prediction), settings.height, settings.width), mask) as tf.Tensor4D;
      default:
        return tf.mul(prediction, mask) as tf.Tensor4D;
    }
  });
}

/**
 * encLabel of jtr.md §1: seg one-hot (zeros at −1), depth Phi(y·[y ≠ 0]), normals (y + 1)/2; multiclass one-hot and
 * multilabel 0/1 (unknown entries −1 filled with the detached sigmoid of the prediction), broadcast over the map;
 * edges/regression y. Not multiplied by the mask (quirk 6; the caller masks in clean mode). Result new.
 */
export function encodeLabel(
  task: TaskSpec,
  label: tf.Tensor,
  prediction: tf.Tensor,
  settings: EncodingSettings,
): tf.Tensor4D {
  return tf.tidy(() => {
    switch (task.kind) {
      case 'segmentation':
        return oneHotWithIgnore(label, task.channels) as tf.Tensor4D;
      case 'depth':
        return phi(
          tf.mul(label, tf.cast(tf.notEqual(label, 0), 'float32')),
          settings.depthPhi,
        ) as tf.Tensor4D;
      case 'normals':
        return tf.div(tf.add(label, 1), 2) as tf.Tensor4D;
      case 'multiclass':
        return toMap(oneHotWithIgnore(label, task.channels), settings.height, settings.width);
      case 'multilabel': {
        const known = tf.greaterEqual(label, 0);
        return toMap(
          tf.where(known, label, stopGradient(tf.sigmoid(prediction))),
          settings.height,
          settings.width,
        );
      }
      default:
        return tf.clone(label) as tf.Tensor4D;
    }
  });
}

/** One-hot of class ids [..., 1] → [..., C] float32, all zeros where the id is −1 (or out of range). */
export function oneHotWithIgnore(classIds: tf.Tensor, classes: number): tf.Tensor {
  return tf.tidy(() => {
    const ids = tf.cast(tf.squeeze(classIds, [classIds.rank - 1]), 'int32');
    return oneHotFloat32(ids, classes);
  });
}

/** Concatenates per-task maps along channels, in task order. */
export function concatenateChannels(maps: readonly tf.Tensor[]): tf.Tensor4D {
  return (maps.length === 1 ? tf.clone(maps[0]!) : tf.concat(maps as tf.Tensor[], 3)) as tf.Tensor4D;
}

/** Channels of each task in the joint stack (classification tasks contribute their class/label count). */
export function stackChannels(tasks: readonly TaskSpec[]): number[] {
  return tasks.map((task) => task.channels);
}
