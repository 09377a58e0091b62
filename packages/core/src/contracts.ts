// The two contracts that let research code swap parts in one line: a multi-task network (shared backbone +
// task heads, hard parameter sharing) and a cross-task regularizer (JTR, pairwise, distribution matching, none).
// The trainer only talks to these interfaces; it never tests a method's name.
import type * as tf from '@tensorflow/tfjs';
import type { TaskBatch } from './batch.js';
import type { RandomSource } from './random.js';
import type { TaskSpec } from './tasks.js';

/** What a multi-task network returns for a batch of images. */
export interface NetworkOutput {
  /** Predictions per task: dense [B, H, W, C] (segmentation logits, raw depth, unit normals), or [B, C] logits. */
  readonly predictions: Readonly<Record<string, tf.Tensor>>;
  /** Shared features: the deepest encoder feature (pairwise anchor) and the final shared map (heads' input). */
  readonly features: { readonly bottleneck?: tf.Tensor4D; readonly shared?: tf.Tensor };
}

/** A named group of variables that an optimizer updates together, with its own learning rate. */
export interface VariableGroup {
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  /** Learning rate of this group; the trainer's default when absent. */
  readonly learningRate?: number;
  /** Step schedule of this group: multiply the rate by `gamma` every `stepSize` epochs. */
  readonly schedule?: { readonly stepSize: number; readonly gamma: number };
}

/** Shared backbone + one head per task. */
export interface MultiTaskNetwork {
  readonly tasks: readonly TaskSpec[];
  /** Runs the network. `training` selects batch statistics (and updates running statistics) in batch norm. */
  apply(images: tf.Tensor4D, options: { training: boolean }): NetworkOutput;
  /** Trainable variables: the shared backbone, and each task's head. */
  readonly sharedVariables: readonly tf.Variable[];
  readonly taskVariables: Readonly<Record<string, readonly tf.Variable[]>>;
  /** Every variable to save in a checkpoint (trainable ones plus running statistics), by stable name. */
  namedVariables(): ReadonlyMap<string, tf.Variable>;
  /** Plain JSON configuration that rebuilds the same architecture. */
  readonly config: Readonly<Record<string, unknown>>;
  dispose(): void;
}

/** Everything a regularizer sees in one training step. */
export interface RegularizerInput {
  readonly tasks: readonly TaskSpec[];
  /** The batch with its label mask, and the extra views the regularizer asked for. */
  readonly batch: TaskBatch;
  /** Network output on `batch.images` (view 0, the one the supervised losses use). */
  readonly output: NetworkOutput;
  /** Network outputs on `batch.views[i]`, computed in the same forward pass as view 0. */
  readonly viewOutputs: readonly NetworkOutput[];
  /** Seeded random source for this step (Gumbel noise and the like). */
  readonly random: RandomSource;
  /** Training step and epoch (for ramp-ups). */
  readonly step: number;
  readonly epoch: number;
}

/** A loss and its named parts, for logging. Tensors are owned by the caller. */
export interface LossWithParts {
  readonly loss: tf.Scalar;
  readonly parts: Readonly<Record<string, tf.Scalar>>;
}

/**
 * A cross-task regularizer. `loss` is called inside the trainer's gradient computation (synchronously, inside
 * `tf.variableGrads`), so it must only build tensors. It owns its variables and disposes them in `dispose`.
 */
export interface Regularizer {
  /** Registry name, e.g. 'none', 'jtr', 'pairwise', 'distribution-matching'. */
  readonly name: string;
  /** How many extra augmented views each batch must carry (0 for none, 1 for pairwise, 2 for JTR). */
  readonly viewsNeeded: number;
  /** The regularizer's own trainable variables, grouped by optimizer group. */
  variableGroups(): readonly VariableGroup[];
  /** Every variable to checkpoint (trainable and running statistics), by stable name. */
  namedVariables(): ReadonlyMap<string, tf.Variable>;
  /** The regularization loss for one step (already weighted) and its parts. */
  loss(input: RegularizerInput): LossWithParts;
  dispose(): void;
}
