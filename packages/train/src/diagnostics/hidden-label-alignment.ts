// Hidden-label alignment, a diagnostic of ours (not from the JTR, MTPSL or Kollias et al. papers): does a
// cross-task regularizer move the network the way the labels a partial split hides would? On data where every
// label exists (the synthetic sets, or a fully labelled set trained under a partial split) it compares, in the
// space of the network's trainable weights, the regularizer's gradient with the gradient of the supervised loss
// on the hidden (sample, task) pairs, and, for scale, the gradient of the supervised loss on the labelled pairs
// (what plain MTL follows) with the same hidden-label gradient.
import type { MultiTaskNetwork, RandomSource, Regularizer, TaskBatch, TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { forwardAllViews } from '../gradient-step.js';
import type { TrainingComponents } from '../loop-options.js';
import { networkTrainableVariables } from '../optimizer-groups.js';

/** One task's (or all tasks') alignment; NaN where a gradient is zero (e.g. the `none` regularizer). */
export interface Alignment {
  /**
   * cos(∇R, ∇L_hidden): 1 when the regularizer pulls the weights exactly as the hidden labels would, 0 when it
   * pulls sideways (no first-order effect on the hidden labels' loss), below 0 when it pulls away from them.
   */
  readonly regularizerCosine: number;
  /**
   * ⟨∇R, ∇L_hidden⟩ / |∇L_hidden|²: how much of the hidden labels' pull the regularizer supplies (1 = as much as
   * those labels would in the supervised loss, each task's loss a mean over its hidden samples).
   */
  readonly regularizerPull: number;
  /** cos(∇L_labelled, ∇L_hidden): how far plain MTL's own gradient already carries towards the hidden labels. */
  readonly supervisedCosine: number;
  /** Hidden (sample, task) pairs measured. */
  readonly hidden: number;
}

export interface AlignmentReport {
  readonly byTask: Readonly<Record<string, Alignment>>;
  /** Against the sum of every task's hidden-label gradient. */
  readonly all: Alignment;
}

export interface HiddenLabelAlignmentInput {
  readonly tasks: readonly TaskSpec[];
  readonly network: MultiTaskNetwork;
  readonly regularizer: Regularizer;
  readonly supervisedLoss: TrainingComponents['supervisedLoss'];
  /**
   * Batches carrying every label the data has (their `labelMask`: which labels exist), with the extra views the
   * regularizer needs. Not disposed here.
   */
  readonly batches: readonly TaskBatch[];
  /** Per batch, [B, T]: 1 where the training split labels the pair. Labels outside it are the hidden ones. */
  readonly splitMasks: readonly tf.Tensor2D[];
  readonly random: RandomSource;
  readonly step: number;
  readonly epoch: number;
}

/**
 * The batch as training under the split sees it (labels outside the split replaced by each task's fill value,
 * mask = exists × split) and the hidden pairs' mask (exists × (1 − split)). Images are shared with `batch`; the
 * caller frees the new tensors with `disposeHiddenLabels(visible)` and `hiddenMask.dispose()`.
 */
export function hideLabels(
  tasks: readonly TaskSpec[],
  batch: TaskBatch,
  splitMask: tf.Tensor2D,
  fillValue: (task: TaskSpec) => number,
): { visible: TaskBatch; hiddenMask: tf.Tensor2D } {
  const visibleMask = tf.tidy(() => tf.mul(batch.labelMask, splitMask)) as tf.Tensor2D;
  const hiddenMask = tf.tidy(() => tf.mul(batch.labelMask, tf.sub(1, splitMask))) as tf.Tensor2D;
  const hide = (view: TaskBatch): TaskBatch => {
    const labels: Record<string, tf.Tensor> = {};
    for (const task of tasks) {
      const label = view.labels[task.name];
      if (!label) continue;
      const column = batch.taskNames.indexOf(task.name);
      if (column < 0)
        throw new Error(
          `hideLabels: batch has no task '${task.name}' (tasks: ${batch.taskNames.join(', ')})`,
        );
      labels[task.name] = tf.tidy(() => {
        const keep = tf.reshape(tf.slice(visibleMask, [0, column], [-1, 1]), [
          -1,
          ...label.shape.slice(1).map(() => 1),
        ]);
        return tf.where(
          tf.broadcastTo(tf.cast(keep, 'bool'), label.shape),
          label,
          tf.fill(label.shape, fillValue(task)),
        );
      });
    }
    return { ...view, labelMask: tf.clone(visibleMask), labels };
  };
  const visible: TaskBatch = {
    ...hide(batch),
    ...(batch.views ? { views: batch.views.map(hide) } : {}),
  };
  visibleMask.dispose();
  return { visible, hiddenMask };
}

/** Frees what `hideLabels` made for `visible` (its labels and masks, not the images it shares). */
export function disposeHiddenLabels(visible: TaskBatch): void {
  for (const view of [visible, ...(visible.views ?? [])]) {
    view.labelMask.dispose();
    tf.dispose(Object.values(view.labels));
  }
}

/** Gradients of `loss` with respect to the network's trainable weights (zeros where it does not reach). */
function weightGradients(network: MultiTaskNetwork, loss: () => tf.Scalar): tf.Tensor[] {
  const variables = networkTrainableVariables(network);
  const { value, grads } = tf.variableGrads(loss, variables);
  value.dispose();
  return variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
}

function addInto(sum: tf.Tensor[] | undefined, add: tf.Tensor[]): tf.Tensor[] {
  if (!sum) return add;
  const result = sum.map((tensor, index) => tf.add(tensor, add[index]!));
  tf.dispose([...sum, ...add]);
  return result;
}

function dot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(a.map((tensor, index) => tf.sum(tf.mul(tensor, b[index]!)))) as tf.Scalar);
}

/** Runs `work` and puts every network and regularizer variable back as it was (batch-norm statistics included). */
function withRestoredVariables<T>(network: MultiTaskNetwork, regularizer: Regularizer, work: () => T): T {
  const variables = [...network.namedVariables().values(), ...regularizer.namedVariables().values()];
  const saved = variables.map((variable) => tf.clone(variable));
  try {
    return work();
  } finally {
    variables.forEach((variable, index) => variable.assign(saved[index]!));
    tf.dispose(saved);
  }
}

/**
 * Measures the alignment over `batches` (their gradients summed first, so the directions compared are those of
 * several steps). Leaves the network and the regularizer exactly as it found them and no tensors behind.
 */
export function hiddenLabelAlignment(
  input: HiddenLabelAlignmentInput,
  fillValue: (task: TaskSpec) => number,
): AlignmentReport {
  const { tasks, network, regularizer } = input;
  if (input.batches.length === 0) throw new Error('hiddenLabelAlignment: no batches');
  if (input.batches.length !== input.splitMasks.length)
    throw new Error(
      `hiddenLabelAlignment: ${input.batches.length} batches but ${input.splitMasks.length} split masks`,
    );
  return withRestoredVariables(network, regularizer, () => {
    let regularizerSum: tf.Tensor[] | undefined;
    let supervisedSum: tf.Tensor[] | undefined;
    const hiddenSums = new Map<string, tf.Tensor[]>();
    const hiddenCounts = new Map<string, number>(tasks.map((task) => [task.name, 0]));
    input.batches.forEach((batch, index) => {
      const { visible, hiddenMask } = hideLabels(tasks, batch, input.splitMasks[index]!, fillValue);
      try {
        regularizerSum = addInto(
          regularizerSum,
          weightGradients(network, () => {
            const [output, ...viewOutputs] = forwardAllViews(network, visible, regularizer.viewsNeeded);
            const { loss, parts } = regularizer.loss({
              tasks,
              batch: visible,
              output: output!,
              viewOutputs,
              random: input.random,
              step: input.step,
              epoch: input.epoch,
            });
            tf.dispose(Object.values(parts));
            // A regularizer that never reads the predictions (`none`) still gives a gradient: zero.
            const firstPrediction = Object.values(output!.predictions)[0]!;
            return tf.add(loss, tf.mul(0, tf.sum(firstPrediction))) as tf.Scalar;
          }),
        );
        supervisedSum = addInto(
          supervisedSum,
          weightGradients(network, () => {
            const [output] = forwardAllViews(network, visible, regularizer.viewsNeeded);
            const { loss, parts } = input.supervisedLoss(tasks, output!, visible);
            tf.dispose(Object.values(parts));
            return loss;
          }),
        );
        const countTensor = hiddenMask.sum(0);
        const counts = countTensor.dataSync();
        countTensor.dispose();
        tasks.forEach((task) => {
          const column = batch.taskNames.indexOf(task.name);
          const count = column < 0 ? 0 : counts[column]!;
          if (count === 0) return;
          hiddenCounts.set(task.name, hiddenCounts.get(task.name)! + count);
          // This task's hidden pairs only: every other column of the mask is zero.
          const taskMask = tf.tidy(() =>
            tf.mul(hiddenMask, tf.oneHot([column], batch.taskNames.length).cast('float32')),
          ) as tf.Tensor2D;
          try {
            const hiddenBatch: TaskBatch = { ...batch, labelMask: taskMask };
            const gradient = weightGradients(network, () => {
              const [output] = forwardAllViews(network, visible, regularizer.viewsNeeded);
              const { loss, parts } = input.supervisedLoss(tasks, output!, hiddenBatch);
              tf.dispose(Object.values(parts));
              return loss;
            });
            hiddenSums.set(task.name, addInto(hiddenSums.get(task.name), gradient));
          } finally {
            taskMask.dispose();
          }
        });
      } finally {
        disposeHiddenLabels(visible);
        hiddenMask.dispose();
      }
    });
    const regularizerGradient = regularizerSum ?? [];
    const supervisedGradient = supervisedSum ?? [];
    try {
      const measure = (hidden: readonly tf.Tensor[], count: number): Alignment => {
        if (count === 0)
          return {
            regularizerCosine: Number.NaN,
            regularizerPull: Number.NaN,
            supervisedCosine: Number.NaN,
            hidden: 0,
          };
        const numbers = tf.tidy(() =>
          tf
            .stack([
              dot(regularizerGradient, hidden),
              dot(regularizerGradient, regularizerGradient),
              dot(hidden, hidden),
              dot(supervisedGradient, hidden),
              dot(supervisedGradient, supervisedGradient),
            ])
            .dataSync(),
        );
        const [rh, rr, hh, sh, ss] = [...numbers] as [number, number, number, number, number];
        const cosine = (ab: number, aa: number) => (aa > 0 && hh > 0 ? ab / Math.sqrt(aa * hh) : Number.NaN);
        return {
          regularizerCosine: cosine(rh, rr),
          regularizerPull: hh > 0 ? rh / hh : Number.NaN,
          supervisedCosine: cosine(sh, ss),
          hidden: count,
        };
      };
      const byTask: Record<string, Alignment> = {};
      for (const [name, gradient] of hiddenSums) byTask[name] = measure(gradient, hiddenCounts.get(name)!);
      const sums = [...hiddenSums.values()];
      const total = sums.length === 0 ? [] : sums[0]!.map((_, i) => tf.addN(sums.map((sum) => sum[i]!)));
      const all = measure(
        total,
        [...hiddenCounts.values()].reduce((a, b) => a + b, 0),
      );
      tf.dispose(total);
      return { byTask, all };
    } finally {
      tf.dispose([...regularizerGradient, ...supervisedGradient]);
      for (const gradient of hiddenSums.values()) tf.dispose(gradient);
    }
  });
}
