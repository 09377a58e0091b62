// One training step: a single forward pass on concat(view 0, extra views) split back per view (as MTPSL and
// JTR do, so batch norm sees all views together), supervised loss on view 0 plus the regularizer's loss,
// gradients over every trainable variable with tf.variableGrads, a finiteness check before anything is
// applied, optional global-norm clipping, then one applyGradients per optimizer group.

import type {
  MultiTaskNetwork,
  NetworkOutput,
  RandomSource,
  Regularizer,
  TaskBatch,
  TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import type { TrainingComponents } from './loop-options.js';
import type { OptimizerGroup } from './optimizer-groups.js';

export interface StepResult {
  /** 'applied', or 'non-finite' when the loss or a gradient was NaN/Inf (nothing was applied). */
  readonly status: 'applied' | 'non-finite';
  readonly loss: number;
  readonly parts: Readonly<Record<string, number>>;
  readonly gradientNorm: number;
  /** With status 'non-finite': which logged parts and which variables' gradients were NaN or ±Inf. */
  readonly nonFinite?: NonFiniteReport;
}

/** Where a non-finite step went wrong: loss parts by name, gradients by optimizer group and variable name. */
export interface NonFiniteReport {
  readonly parts: readonly string[];
  readonly gradients: readonly { readonly group: string; readonly variables: readonly string[] }[];
}

/** Names the parts and the variables (per group) whose values are not all finite. Reads back one flag per variable. */
function reportNonFinite(
  parts: Readonly<Record<string, number>>,
  groups: readonly OptimizerGroup[],
  gradients: readonly tf.Tensor[],
): NonFiniteReport {
  // Σ 0·g is 0 when every entry is finite and NaN otherwise (0·±Inf and 0·NaN are NaN), on every backend.
  const probe = tf.tidy(() => tf.stack(gradients.map((gradient) => tf.sum(tf.mul(gradient, 0)))));
  const flags = probe.dataSync();
  probe.dispose();
  let offset = 0;
  const byGroup = groups.map((group) => {
    const variables = group.variables
      .filter((_, index) => !Number.isFinite(flags[offset + index]!))
      .map((variable) => variable.name);
    offset += group.variables.length;
    return { group: group.name, variables };
  });
  return {
    parts: Object.entries(parts)
      .filter(([, value]) => !Number.isFinite(value))
      .map(([name]) => name),
    gradients: byGroup.filter((entry) => entry.variables.length > 0),
  };
}

/** One line for a log or error message: "parts regularizer/x; gradients of group 'jtr' (2 variables: a, b)". */
export function describeNonFinite(report: NonFiniteReport, maxNames = 3): string {
  const pieces: string[] = [];
  if (report.parts.length > 0) pieces.push(`parts ${report.parts.join(', ')}`);
  for (const { group, variables } of report.gradients) {
    const shown = variables.slice(0, maxNames).join(', ');
    const more = variables.length > maxNames ? `, … ${variables.length - maxNames} more` : '';
    pieces.push(
      `gradients of group '${group}' (${variables.length} variable${variables.length === 1 ? '' : 's'}: ${shown}${more})`,
    );
  }
  return pieces.length > 0 ? pieces.join('; ') : 'no part or gradient named (the sum overflowed)';
}

/** Splits one output computed on a concatenated batch into `count` outputs of equal batch size. */
export function splitOutput(output: NetworkOutput, count: number): NetworkOutput[] {
  if (count === 1) return [output];
  const predictionParts: Record<string, tf.Tensor[]> = {};
  for (const [task, tensor] of Object.entries(output.predictions))
    predictionParts[task] = tf.split(tensor, count, 0);
  const bottleneck = output.features.bottleneck ? tf.split(output.features.bottleneck, count, 0) : undefined;
  const shared = output.features.shared ? tf.split(output.features.shared, count, 0) : undefined;
  return Array.from({ length: count }, (_, index) => {
    const predictions: Record<string, tf.Tensor> = {};
    for (const [task, parts] of Object.entries(predictionParts)) predictions[task] = parts[index]!;
    const features: { bottleneck?: tf.Tensor4D; shared?: tf.Tensor } = {};
    if (bottleneck) features.bottleneck = bottleneck[index] as tf.Tensor4D;
    if (shared) features.shared = shared[index];
    return { predictions, features };
  });
}

/** Runs the network once on view 0 and the batch's extra views; returns one output per view. */
export function forwardAllViews(
  network: MultiTaskNetwork,
  batch: TaskBatch,
  viewsNeeded: number,
): NetworkOutput[] {
  const views = batch.views ?? [];
  if (views.length < viewsNeeded) {
    throw new Error(
      `the regularizer needs ${viewsNeeded} extra views per batch, the loader gave ${views.length}`,
    );
  }
  const used = views.slice(0, viewsNeeded);
  const images =
    used.length === 0 ? batch.images : tf.concat([batch.images, ...used.map((view) => view.images)], 0);
  const output = network.apply(images, { training: true });
  return splitOutput(output, used.length + 1);
}

interface LossInput {
  readonly tasks: readonly TaskSpec[];
  readonly network: MultiTaskNetwork;
  readonly regularizer: Regularizer;
  readonly supervisedLoss: TrainingComponents['supervisedLoss'];
  readonly batch: TaskBatch;
  readonly random: RandomSource;
  readonly step: number;
  readonly epoch: number;
}

/** Total loss for one batch; fills `keptParts` with kept scalars named 'supervised/…' and 'regularizer/…'. */
function totalLoss(input: LossInput, keptParts: Map<string, tf.Scalar>): tf.Scalar {
  const outputs = forwardAllViews(input.network, input.batch, input.regularizer.viewsNeeded);
  const [output, ...viewOutputs] = outputs as [NetworkOutput, ...NetworkOutput[]];
  const supervised = input.supervisedLoss(input.tasks, output, input.batch);
  const regularization = input.regularizer.loss({
    tasks: input.tasks,
    batch: input.batch,
    output,
    viewOutputs,
    random: input.random,
    step: input.step,
    epoch: input.epoch,
  });
  keptParts.set('supervised', tf.keep(supervised.loss));
  for (const [name, part] of Object.entries(supervised.parts))
    keptParts.set(`supervised/${name}`, tf.keep(part));
  keptParts.set('regularizer', tf.keep(regularization.loss));
  for (const [name, part] of Object.entries(regularization.parts))
    keptParts.set(`regularizer/${name}`, tf.keep(part));
  return tf.add(supervised.loss, regularization.loss) as tf.Scalar;
}

/**
 * Computes and (when finite) applies one step. Reads back one small vector (loss, parts, gradient norm) per step.
 * Leaves no tensors behind.
 */
export function trainingStep(
  input: LossInput,
  groups: readonly OptimizerGroup[],
  clipNorm: number | undefined,
): StepResult {
  const keptParts = new Map<string, tf.Scalar>();
  const variables = groups.flatMap((group) => group.variables);
  try {
    const { value, grads } = tf.variableGrads(() => totalLoss(input, keptParts), variables);
    try {
      const gradients = variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
      const squaredNorm = tf.tidy(() => tf.addN(gradients.map((gradient) => tf.sum(tf.square(gradient)))));
      const readout = tf.tidy(() => tf.stack([value, squaredNorm, ...keptParts.values()]));
      const numbers = readout.dataSync();
      readout.dispose();
      squaredNorm.dispose();
      const loss = numbers[0]!;
      const gradientNorm = Math.sqrt(numbers[1]!);
      const parts: Record<string, number> = {};
      [...keptParts.keys()].forEach((name, index) => {
        parts[name] = numbers[index + 2]!;
      });
      if (!Number.isFinite(loss) || !Number.isFinite(gradientNorm)) {
        const nonFinite = reportNonFinite(parts, groups, gradients);
        gradients.forEach((gradient, index) => {
          if (grads[variables[index]!.name] === undefined) gradient.dispose();
        });
        return { status: 'non-finite', loss, parts, gradientNorm, nonFinite };
      }
      const scale = clipNorm && clipNorm > 0 && gradientNorm > clipNorm ? clipNorm / gradientNorm : 1;
      let offset = 0;
      for (const group of groups) {
        const named = group.variables.map((variable, index) => ({
          name: variable.name,
          tensor: gradients[offset + index]!,
        }));
        offset += group.variables.length;
        tf.tidy(() => {
          group.optimizer.applyGradients(
            scale === 1
              ? named
              : named.map((entry) => ({ name: entry.name, tensor: tf.mul(entry.tensor, scale) })),
          );
        });
      }
      gradients.forEach((gradient, index) => {
        if (grads[variables[index]!.name] === undefined) gradient.dispose();
      });
      return { status: 'applied', loss, parts, gradientNorm };
    } finally {
      value.dispose();
      tf.dispose(Object.values(grads));
    }
  } finally {
    tf.dispose([...keptParts.values()]);
  }
}
