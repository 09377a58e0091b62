// Joint-Task Regularization (Nishi, Kim, Li & Pfister, "Joint-Task Regularization for Partially Labeled Multi-Task
// Learning", CVPR 2024, arXiv 2404.01976), after the official code (KentoNishi/JTR-CVPR-2024) as jtr.md records it.
// Modes: 'faithful' keeps the official quirks (jtr.md §8), 'clean' fixes them; each quirk has its own flag.
// Divergences: unpooling by an equality mask; classification tasks broadcast over the map (our extension).
// `stages` (an extension, default 5 as the paper) keeps the first encoder stages of the auto-encoder, so that small
// inputs keep a spatial latent.
// `segmentationPrediction: 'softmax'` (an extension, not the default) encodes every predicted segmentation or
// multiclass channel, in Y, in Yhat and in the reconstruction targets, as the softmax instead of the paper's
// straight-through Gumbel sample (no draw at all; quirks 1 and 2 then have nothing to act on).
// `unpoolTies: 'first'` (an option) unpools like the official MaxUnpool2d; checked against an independent PyTorch
// implementation (reference/jtr_reference.py, test/jtr-reference.test.ts).
// Clean-only fix beyond jtr.md §8 (flag `unnormalisedNormalTarget`): the normal reconstruction compares r̂ with the
// normalised target (a true cosine, ≥ 0); the official r̂·tgt with a (n+1)/2 target of norm up to 1.37 divided by Σm
// made the clean reconstruction loss negative (~−0.3 in the demo).

import {
  isDenseTask,
  type LossWithParts,
  RandomSource,
  type Regularizer,
  type RegularizerInput,
  stopGradient,
  type TaskBatch,
  type TaskSpec,
  type VariableGroup,
} from '@partial-mtl/core';
import { checkSegNetStages, type UnpoolTies, unpoolTiesModes } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import {
  checkChoices,
  checkNumbers,
  labelOf,
  predictionOf,
  type RegularizerBaseOptions,
  warnOnce,
  weighted,
} from './common-options.js';
import { cosineDistancePerSample } from './cosine-distance.js';
import {
  type CategoricalEncoding,
  categoricalSample,
  concatenateChannels,
  type DepthPhiConstants,
  depthPhiDefaults,
  detachWhereLabelled,
  type EncodingSettings,
  encodeLabel,
  encodePrediction,
  jointMask,
  perSample,
  phi,
  stackChannels,
} from './jtr-encoding.js';
import { reconstructionLossPerSample } from './jtr-reconstruction.js';
import { createJtrAutoEncoder, type JtrAutoEncoder } from './networks/jtr-auto-encoder.js';

/** The quirks of jtr.md §8 that live in the regularizer; `true` keeps the official behaviour. */
export interface JtrQuirks {
  /** #1: view-2 Yhat encodes segmentation with softmax (view 1 with straight-through Gumbel). */
  readonly viewTwoSoftmaxPrediction: boolean;
  /** #2: separate Gumbel draws for one unlabelled seg map in Y, in Yhat and in each reconstruction target. */
  readonly independentGumbelDraws: boolean;
  /** #3: the Yhat2 depth target is Phi(Phi(p·m)). */
  readonly doublePhiDepthTarget: boolean;
  /** #4: Y2 targets are raw (GT or unmasked prediction; normals in [−1, 1]). */
  readonly rawReconstructionTargets: boolean;
  /** #5: reconstruction divides by N = max(1, nnz(target)) instead of Σm. */
  readonly nonzeroCountNormaliser: boolean;
  /** #6: label channels are not multiplied by the mask (off: every channel of both stacks is). */
  readonly unmaskedLabelChannels: boolean;
  /** #7: Phi uses the NYU constants whatever `depthPhi` says. */
  readonly sharedDepthConstants: boolean;
  /** #8: the reconstruction weight doubles as the d2 weight (the official call passes wRec as wD2). */
  readonly reconstructionWeightAsSecondDistanceWeight: boolean;
  /** #10: the auto-encoder runs per sample (BN over one image) rather than once per batch. */
  readonly perSampleAutoEncoder: boolean;
  /**
   * Not in jtr.md's table: the normal reconstruction is `1 − Σ r̂·tgt·m / N` with an un-normalised target (the
   * official code). Off (clean): the target is normalised too, so the term is a true cosine distance, ≥ 0.
   */
  readonly unnormalisedNormalTarget: boolean;
}

export const faithfulJtrQuirks: JtrQuirks = {
  viewTwoSoftmaxPrediction: true,
  independentGumbelDraws: true,
  doublePhiDepthTarget: true,
  rawReconstructionTargets: true,
  nonzeroCountNormaliser: true,
  unmaskedLabelChannels: true,
  sharedDepthConstants: true,
  reconstructionWeightAsSecondDistanceWeight: true,
  perSampleAutoEncoder: true,
  unnormalisedNormalTarget: true,
};

export const cleanJtrQuirks: JtrQuirks = {
  viewTwoSoftmaxPrediction: false,
  independentGumbelDraws: false,
  doublePhiDepthTarget: false,
  rawReconstructionTargets: false,
  nonzeroCountNormaliser: false,
  unmaskedLabelChannels: false,
  sharedDepthConstants: false,
  reconstructionWeightAsSecondDistanceWeight: false,
  perSampleAutoEncoder: false,
  unnormalisedNormalTarget: false,
};

export interface JtrSettings {
  readonly mode: 'faithful' | 'clean';
  /** Weight of the latent distances, wDist (4). */
  readonly distanceWeight: number;
  /** Weight of the reconstruction, wRec (2). */
  readonly reconstructionWeight: number;
  /** Weight of d2 inside the distance term, wD2 (2; equals wRec under quirk 8). */
  readonly secondDistanceWeight: number;
  /** Width multiplier of the SegNet auto-encoder (1 = the paper's ~25M parameters). */
  readonly widthMultiplier: number;
  /**
   * Encoder stages of the auto-encoder (1..5; the paper: 5): the latent z is H/2^stages × W/2^stages. An extension
   * for small inputs: at 32×32 five stages leave a 1×1 latent (see `singlePositionLatentWarning`).
   */
  readonly stages: number;
  /**
   * Which tied maxima of a 2×2 pooling window get the unpooled value in the auto-encoder's decoder: 'all' (default;
   * jtr.md §3, an equality mask, since tfjs has no argmax pooling gradient) or 'first' (the official MaxUnpool2d
   * with PyTorch's first-index choice, bit for bit). The stacks are piecewise-constant label maps, so ties are
   * common: the two choices reconstruct differently (the latent z is the same).
   */
  readonly unpoolTies: UnpoolTies;
  /** Phi constants for depth (used when quirk 7 is off; the NYU constants by default). */
  readonly depthPhi: DepthPhiConstants;
  /** Stack resolution when no task is dense (classification stacks broadcast to this square map). */
  readonly classificationResolution: number;
  /**
   * How predicted segmentation (and multiclass) maps enter the stacks: the paper's straight-through Gumbel sample
   * (default) or, as an extension, the softmax everywhere. The same key and values as pairwise's option.
   */
  readonly segmentationPrediction: CategoricalEncoding;
  /** Optimizer group of the auto-encoder: Adam lr 1e-4, StepLR(200, 0.5). */
  readonly learningRate: number;
  readonly schedule: { readonly stepSize: number; readonly gamma: number };
}

export const jtrDefaults: JtrSettings = {
  mode: 'faithful',
  distanceWeight: 4,
  reconstructionWeight: 2,
  secondDistanceWeight: 2,
  widthMultiplier: 1,
  stages: 5,
  unpoolTies: 'all',
  depthPhi: depthPhiDefaults,
  classificationResolution: 32,
  segmentationPrediction: 'straight-through-gumbel',
  learningRate: 1e-4,
  schedule: { stepSize: 200, gamma: 0.5 },
};

export interface JtrOptions extends RegularizerBaseOptions, Partial<JtrSettings> {
  /** Individual quirk overrides on top of the mode's preset. */
  readonly quirks?: Partial<JtrQuirks>;
  /**
   * Receives the one warning this regularizer gives (a 1×1 latent, see `singlePositionLatentWarning`), once per
   * instance. Default: `console.warn`, once per process.
   */
  readonly warn?: (message: string) => void;
}

/**
 * Why a 1×1 latent is flagged. z is the stack's size over 2^stages (the paper: 5 stages, NYU-v2 9×12, Cityscapes
 * 4×8). Measured on 32×32 synthetic scenes (onelabel, clean mode, weights 0.05 / 0.1 / 0.02): with five stages the
 * logged d1 started at ~0.2 and its median after step 50 was 1e-4–1.5e-3 (82 runs of 288 steps), 10–100× below the
 * 0.010–0.020 of `stages: 2` (8×8; 20 runs): the term that trains the network is much weaker at 1×1. Against plain MTL
 * with two stages: examples/sweep-synthetic-onelabel, "JTR with a two-stage auto-encoder".
 */
export const singlePositionLatentWarning =
  "jtr: the auto-encoder's latent z is 1×1 (the stack's size over 2^stages); at this size the latent distance can shrink to near zero within a few steps (on 32×32 synthetic scenes with five stages: d1 1e-4–1.5e-3 after step 50, against 0.010–0.020 with stages: 2, an 8×8 latent), weakening the term that trains the network. Watch regularizer/firstViewDistance in the train log; use larger inputs or fewer auto-encoder stages (the `stages` option). The paper's NYU-v2 latent is 9×12.";

/** True when pooling a height × width stack `stages` times leaves one position. */
function latentIsSinglePosition(resolution: { height: number; width: number }, stages: number): boolean {
  const factor = 2 ** stages;
  return Math.floor(resolution.height / factor) <= 1 && Math.floor(resolution.width / factor) <= 1;
}

/** The resolved settings and quirks of a JTR configuration. */
export function resolveJtrOptions(
  options: Omit<JtrOptions, 'tasks'>,
): JtrSettings & { readonly quirks: JtrQuirks } {
  const settings = { ...jtrDefaults, ...options };
  checkChoices('jtr', settings, {
    mode: ['faithful', 'clean'],
    segmentationPrediction: ['straight-through-gumbel', 'softmax'],
    unpoolTies: unpoolTiesModes,
  });
  checkNumbers('jtr', settings, {
    distanceWeight: '≥ 0',
    secondDistanceWeight: '≥ 0',
    reconstructionWeight: '≥ 0',
    learningRate: '> 0',
    widthMultiplier: '> 0',
  });
  checkSegNetStages(settings.stages, 'jtr.stages');
  const preset = settings.mode === 'clean' ? cleanJtrQuirks : faithfulJtrQuirks;
  return { ...settings, quirks: { ...preset, ...(options.quirks ?? {}) } };
}

/** One view's tensors for a slice of samples. */
export interface JtrViewSlice {
  readonly predictions: readonly tf.Tensor[];
  readonly labels: readonly tf.Tensor[];
  /** [b, T] label mask in task order. */
  readonly labelled: tf.Tensor2D;
}

export interface JtrViewStacks {
  readonly stack: tf.Tensor4D;
  readonly predictionStack: tf.Tensor4D;
  readonly mask: tf.Tensor4D;
  /** Detached reconstruction targets for Y and Yhat (view 2 only). */
  readonly stackTargets: readonly tf.Tensor[];
  readonly predictionTargets: readonly tf.Tensor[];
  /**
   * What quirk 5's N = nnz(·) counts, per task: the official `tgt` before the loss applies Phi (raw depth for Y2
   * under quirk 4, Phi(p·m) for Yhat2 under quirk 3); otherwise the target itself.
   */
  readonly stackTargetCountSources: readonly tf.Tensor[];
  readonly predictionTargetCountSources: readonly tf.Tensor[];
}

type ResolvedJtr = ReturnType<typeof resolveJtrOptions>;

/** Builds Y and Yhat of one view (exported for tests and inspection) (jtr.md §1–2, §4 targets). Tidy; the caller owns every tensor. */
export function buildJtrViewStacks(
  tasks: readonly TaskSpec[],
  view: JtrViewSlice,
  viewNumber: 1 | 2,
  random: RandomSource,
  settings: ResolvedJtr,
  resolution: { height: number; width: number },
): JtrViewStacks {
  return tf.tidy(() => {
    const { quirks } = settings;
    const softmaxEverywhere = settings.segmentationPrediction === 'softmax';
    const encoding: EncodingSettings = {
      depthPhi: quirks.sharedDepthConstants ? depthPhiDefaults : settings.depthPhi,
      ...resolution,
    };
    const labelRecord = Object.fromEntries(tasks.map((task, t) => [task.name, view.labels[t]!]));
    const mask = jointMask(tasks, labelRecord, view.labelled, resolution.height, resolution.width);
    const stackParts: tf.Tensor[] = [];
    const predictionParts: tf.Tensor[] = [];
    const stackTargets: tf.Tensor[] = [];
    const predictionTargets: tf.Tensor[] = [];
    const stackTargetCountSources: tf.Tensor[] = [];
    const predictionTargetCountSources: tf.Tensor[] = [];
    tasks.forEach((task, t) => {
      const labelled = tf.squeeze(tf.slice(view.labelled, [0, t], [-1, 1]), [1]);
      const weight = perSample(labelled);
      const prediction = detachWhereLabelled(view.predictions[t]!, labelled);
      const label = view.labels[t]!;
      const categorical = task.kind === 'segmentation' || task.kind === 'multiclass';
      const predictionEncoding =
        softmaxEverywhere || (viewNumber === 2 && quirks.viewTwoSoftmaxPrediction)
          ? 'softmax'
          : 'straight-through-gumbel';
      // Clean (quirk 6 off): every channel of both stacks is multiplied by m, predictions too; Phi(p·m) and
      // (p·m + 1)/2 alone are Phi(0) and 0.5 where m = 0, where a masked label channel is 0.
      const masked = (encoded: tf.Tensor) => (quirks.unmaskedLabelChannels ? encoded : tf.mul(encoded, mask));
      const encodedPrediction = masked(
        encodePrediction(task, prediction, mask, predictionEncoding, random, encoding),
      );
      // Y's prediction channel: a separate draw (quirk 2) or Yhat's own sample when Yhat drew one.
      const stackPrediction =
        categorical &&
        !softmaxEverywhere &&
        (quirks.independentGumbelDraws || predictionEncoding === 'softmax')
          ? masked(encodePrediction(task, prediction, mask, 'straight-through-gumbel', random, encoding))
          : encodedPrediction;
      const encodedLabel = masked(encodeLabel(task, label, prediction, encoding));
      const stackChannel = tf.add(tf.mul(weight, encodedLabel), tf.mul(tf.sub(1, weight), stackPrediction));
      stackParts.push(stackChannel);
      predictionParts.push(encodedPrediction);
      if (viewNumber !== 2) return;
      let stackTarget: tf.Tensor = stackChannel;
      let predictionTarget: tf.Tensor = encodedPrediction;
      let stackCountSource: tf.Tensor | undefined;
      let predictionCountSource: tf.Tensor | undefined;
      if (categorical && isDenseTask(task) && quirks.independentGumbelDraws && !softmaxEverywhere) {
        const fresh = () => tf.mul(categoricalSample(prediction, 'straight-through-gumbel', random), mask);
        stackTarget = tf.add(tf.mul(weight, encodedLabel), tf.mul(tf.sub(1, weight), fresh()));
        predictionTarget = fresh();
      }
      if (task.kind === 'depth') {
        if (quirks.rawReconstructionTargets) {
          stackCountSource = tf.add(tf.mul(weight, label), tf.mul(tf.sub(1, weight), prediction));
          stackTarget = phi(stackCountSource, encoding.depthPhi);
        }
        if (quirks.doublePhiDepthTarget) {
          predictionCountSource = encodedPrediction;
          predictionTarget = phi(encodedPrediction, encoding.depthPhi);
        }
      }
      if (task.kind === 'normals' && quirks.rawReconstructionTargets) {
        stackTarget = tf.add(tf.mul(weight, label), tf.mul(tf.sub(1, weight), prediction));
      }
      stackTargets.push(stopGradient(stackTarget));
      predictionTargets.push(stopGradient(predictionTarget));
      stackTargetCountSources.push(stopGradient(stackCountSource ?? stackTarget));
      predictionTargetCountSources.push(stopGradient(predictionCountSource ?? predictionTarget));
    });
    return {
      stack: concatenateChannels(stackParts),
      predictionStack: concatenateChannels(predictionParts),
      mask,
      stackTargets,
      predictionTargets,
      stackTargetCountSources,
      predictionTargetCountSources,
    };
  });
}

/** Tensors of one view, in task order. */
function viewTensors(
  tasks: readonly TaskSpec[],
  batch: TaskBatch,
  predictions: Readonly<Record<string, tf.Tensor>>,
) {
  const columns = tasks.map((task) => {
    const column = batch.taskNames.indexOf(task.name);
    if (column < 0)
      throw new Error(`jtr: batch has no task '${task.name}' (tasks: ${batch.taskNames.join(', ')})`);
    return column;
  });
  return {
    predictions: tasks.map((task) => predictionOf(predictions, task.name)),
    labels: tasks.map((task) => labelOf(batch.labels, task.name)),
    labelled: tf.tidy(() => tf.gather(batch.labelMask, columns, 1)) as tf.Tensor2D,
  };
}

function sliceView(view: JtrViewSlice, start: number, size: number): JtrViewSlice {
  const take = (x: tf.Tensor) => tf.slice(x, [start], [size]);
  return {
    predictions: view.predictions.map(take),
    labels: view.labels.map(take),
    labelled: take(view.labelled) as tf.Tensor2D,
  };
}

/** Stack resolution: the first dense prediction's H×W, else `classificationResolution`. */
function stackResolution(tasks: readonly TaskSpec[], predictions: readonly tf.Tensor[], fallback: number) {
  const denseIndex = tasks.findIndex((task) => isDenseTask(task));
  if (denseIndex < 0) return { height: fallback, width: fallback };
  const shape = predictions[denseIndex]!.shape;
  return { height: shape[1]!, width: shape[2]! };
}

export interface JtrRegularizer extends Regularizer {
  readonly autoEncoder: JtrAutoEncoder;
  readonly settings: ResolvedJtr;
}

/** Creates the JTR regularizer with its SegNet auto-encoder (owned; freed by `dispose`). */
export function createJointTaskRegularization(options: JtrOptions): JtrRegularizer {
  const { tasks } = options;
  const settings = resolveJtrOptions(options);
  const { quirks } = settings;
  const inChannels = stackChannels(tasks).reduce((a, b) => a + b, 0);
  const autoEncoder = createJtrAutoEncoder({
    inChannels,
    widthMultiplier: settings.widthMultiplier,
    stages: settings.stages,
    unpoolTies: settings.unpoolTies,
    random: new RandomSource(options.seed ?? 0).fork('jtr'),
    name: 'jtr',
  });
  const warnSinglePosition = warnOnce(options.warn);
  const secondDistanceWeight = quirks.reconstructionWeightAsSecondDistanceWeight
    ? settings.reconstructionWeight
    : settings.secondDistanceWeight;

  function sliceLosses(
    first: JtrViewSlice,
    second: JtrViewSlice,
    random: RandomSource,
    resolution: { height: number; width: number },
  ) {
    return tf.tidy(() => {
      const view1 = buildJtrViewStacks(tasks, first, 1, random, settings, resolution);
      const firstDistance = cosineDistancePerSample(
        autoEncoder.encodeFrozen(view1.stack),
        autoEncoder.encodeFrozen(view1.predictionStack),
      );
      const view2 = buildJtrViewStacks(tasks, second, 2, random, settings, resolution);
      const fromStack = autoEncoder.apply(stopGradient(view2.stack));
      const fromPrediction = autoEncoder.apply(stopGradient(view2.predictionStack));
      const secondDistance = cosineDistancePerSample(fromStack.latent, fromPrediction.latent);
      const reconstructionSettings = {
        nonzeroCountNormaliser: quirks.nonzeroCountNormaliser,
        normaliseNormalTarget: !quirks.unnormalisedNormalTarget,
      };
      const reconstruction = tf.add(
        reconstructionLossPerSample(
          tasks,
          fromStack.reconstruction,
          view2.stackTargets,
          view2.mask,
          reconstructionSettings,
          view2.stackTargetCountSources,
        ),
        reconstructionLossPerSample(
          tasks,
          fromPrediction.reconstruction,
          view2.predictionTargets,
          view2.mask,
          reconstructionSettings,
          view2.predictionTargetCountSources,
        ),
      );
      return { firstDistance, secondDistance, reconstruction };
    });
  }

  return {
    name: 'jtr',
    viewsNeeded: 2,
    autoEncoder,
    settings,
    variableGroups: (): readonly VariableGroup[] => [
      {
        name: 'jtr',
        variables: autoEncoder.trainableVariables,
        learningRate: settings.learningRate,
        schedule: settings.schedule,
      },
    ],
    namedVariables: () => autoEncoder.namedVariables(),
    loss(input: RegularizerInput): LossWithParts {
      const views = input.batch.views ?? [];
      if (views.length < 2 || input.viewOutputs.length < 2) {
        throw new Error(
          `jtr: needs 2 extra views (batch.views and viewOutputs), got ${views.length} and ${input.viewOutputs.length}`,
        );
      }
      return tf.tidy(() => {
        const first = viewTensors(tasks, views[0]!, input.viewOutputs[0]!.predictions);
        const second = viewTensors(tasks, views[1]!, input.viewOutputs[1]!.predictions);
        const resolution = stackResolution(tasks, first.predictions, settings.classificationResolution);
        if (latentIsSinglePosition(resolution, settings.stages))
          warnSinglePosition(singlePositionLatentWarning);
        const batchSize = first.labelled.shape[0];
        const pieces = quirks.perSampleAutoEncoder
          ? Array.from({ length: batchSize }, (_, i) =>
              sliceLosses(sliceView(first, i, 1), sliceView(second, i, 1), input.random, resolution),
            )
          : [sliceLosses(first, second, input.random, resolution)];
        const gather = (key: 'firstDistance' | 'secondDistance' | 'reconstruction') =>
          pieces.length === 1 ? pieces[0]![key] : tf.concat(pieces.map((piece) => piece[key]));
        const firstDistance = gather('firstDistance');
        const secondDistance = gather('secondDistance');
        const reconstruction = gather('reconstruction');
        const perSampleLoss = tf.add(
          weighted(
            settings.distanceWeight,
            tf.add(firstDistance, weighted(secondDistanceWeight, secondDistance)),
          ),
          weighted(settings.reconstructionWeight, reconstruction),
        );
        return {
          loss: tf.div(tf.sum(perSampleLoss), batchSize) as tf.Scalar,
          parts: {
            firstViewDistance: tf.mean(firstDistance) as tf.Scalar,
            secondViewDistance: tf.mean(secondDistance) as tf.Scalar,
            reconstruction: tf.mean(reconstruction) as tf.Scalar,
          },
        };
      });
    },
    dispose: () => autoEncoder.dispose(),
  };
}
