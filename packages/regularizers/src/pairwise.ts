// Pairwise cross-task consistency (Li, Liu & Bilen, "Learning Multiple Dense Prediction Tasks from Partially
// Annotated Data", CVPR 2022, arXiv 2111.14893; official code VICO-UoE/MTPSL), as pairwise.md records it:
// L_pair = D(ms, mt) + r·(D(ms, stop f) + D(mt, stop f)), summed over (unlabelled s, labelled t) pairs, times λ / B.
// Divergences: the pair code is an argument (not a global); `clean` batches the pairs (BN statistics change);
// `segmentationPrediction: 'softmax'` (not the default) replaces the straight-through Gumbel sample of prepPred.
// `sourceTasks` (an extension; default every dense task, as MTPSL) limits which tasks' predictions the consistency
// term trains: pairs (s, t) are formed only for s in it.

import {
  isDenseTask,
  type LossWithParts,
  RandomSource,
  type Regularizer,
  type RegularizerInput,
  stopGradient,
  type TaskSpec,
  type VariableGroup,
} from '@partial-mtl/core';
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
import { cosineDistancePerSample, crossSampleSimilarity } from './cosine-distance.js';
import type { CategoricalEncoding } from './jtr-encoding.js';
import { createFilmMappingNetwork, type FilmMappingNetwork } from './networks/film-mapping-network.js';
import { pairIndex, prepareLabel, preparePrediction } from './pairwise-preparation.js';

export interface PairwiseSettings {
  /** 'faithful': per sample and per pair, batch 1 (the official loop); 'clean': one call per pair over its samples. */
  readonly mode: 'faithful' | 'clean';
  /** λ, the consistency weight (`--con-weight`): 2.0 for NYU-v2 (default), 1.0 for Cityscapes. */
  readonly consistencyWeight: number;
  /** r, the anchor weight (0.5, hard-coded in the official code); r ≤ 0 keeps only D(ms, mt). */
  readonly anchorWeight: number;
  /** 'partial': (unlabelled s, labelled t) pairs; 'all': every ordered pair s ≠ t (MTPSL's full-label mode). */
  readonly pairs: 'partial' | 'all';
  /**
   * Names of the tasks that may be a pair's source s, the side whose prediction the term trains (an extension, not
   * in the paper). Omitted: every dense task (MTPSL). Pairs with another source are skipped; every task can still be
   * a target (its label is the reference).
   */
  readonly sourceTasks?: readonly string[];
  /** `--rampup`: 'fixed' (default) or 'up', λ·min(1, (epoch + iteration/iterationsPerEpoch)/rampUpEpochs). */
  readonly rampUp: 'fixed' | 'up';
  readonly rampUpEpochs: number;
  /** Iterations per epoch for the within-epoch fraction of 'up' (omitted: whole epochs only). */
  readonly iterationsPerEpoch?: number;
  /** Width multiplier of the mapping network: must match the network's, so its output matches the bottleneck. */
  readonly widthMultiplier: number;
  /**
   * Encoder stages of the mapping network (1..5, default 5 as MTPSL): must match the SegNet's `stages`, so its
   * output has the bottleneck's size. The train package passes the network's value.
   */
  readonly stages: number;
  /** Group A (stems, convs, BN affine): Adam lr 1e-4, StepLR(100, 0.5). */
  readonly mappingLearningRate: number;
  readonly mappingSchedule: { readonly stepSize: number; readonly gamma: number };
  /** Group B (FiLM tables): lr 1e-3 for NYU (default), 1e-5 for Cityscapes; StepLR(30, 0.5). */
  readonly filmLearningRate: number;
  readonly filmSchedule: { readonly stepSize: number; readonly gamma: number };
  /**
   * Log the two collapse diagnostics (`anchorSimilarity`, `mappedSimilarity`) with every loss: default true. Each
   * costs a B×B cosine matrix per position on every step (no gradient); false drops them from the logged parts and
   * leaves the loss unchanged.
   */
  readonly diagnostics: boolean;
  /**
   * How the prediction side encodes a segmentation prediction: 'straight-through-gumbel' (MTPSL: a hard sample,
   * τ 1, default) or 'softmax' (an extension, not in the paper: the class probabilities, no sampling noise). The
   * label side is always one-hot.
   */
  readonly segmentationPrediction: CategoricalEncoding;
}

export const pairwiseDefaults: PairwiseSettings = {
  mode: 'faithful',
  consistencyWeight: 2,
  anchorWeight: 0.5,
  pairs: 'partial',
  rampUp: 'fixed',
  rampUpEpochs: 100,
  widthMultiplier: 1,
  stages: 5,
  mappingLearningRate: 1e-4,
  mappingSchedule: { stepSize: 100, gamma: 0.5 },
  filmLearningRate: 1e-3,
  filmSchedule: { stepSize: 30, gamma: 0.5 },
  diagnostics: true,
  segmentationPrediction: 'straight-through-gumbel',
};

export type PairwiseOptions = RegularizerBaseOptions &
  Partial<PairwiseSettings> & {
    /**
     * Receives the one warning this regularizer gives (a 1×1 bottleneck, see `singlePositionWarning`), once per
     * instance. Default: `console.warn`, once per process.
     */
    readonly warn?: (message: string) => void;
  };

/**
 * Why a 1×1 anchor is flagged. The mapping output and the anchor f are the bottleneck's size (H/32 × W/32 with five
 * SegNet stages; MTPSL's NYU-v2 setting: 9×12). At 1×1 every map becomes one vector per image and, in faithful mode,
 * the deepest stage batch-normalises 2×2 values of one sample. Measured on synthetic scenes (onelabel, 288 steps): at
 * 32×32 the trained mapping gave every image the same output (cosine 1.0000 between the mapped labels of different
 * images, faithful and clean mode), while the anchors of different images were at 0.98: the anchor term, meant to
 * prevent that trivial solution, rewards it when the anchor barely varies. Larger bottlenecks only soften it there
 * (2×2 at 64×64: 0.9999; 4×4 with three stages: 0.97–0.99, anchor 0.80). `mappedSimilarity` and
 * `anchorSimilarity` in the logged parts show it during training.
 */
export const singlePositionWarning =
  'pairwise: the bottleneck (anchor f, and the mapping output) is 1×1; the mapping network tends to collapse to one output for every image at this size (on 32×32 synthetic scenes: cosine 1.0000 between the mapped labels of different images), so the consistency term carries no information. Watch regularizer/mappedSimilarity in the train log; use larger inputs or fewer SegNet stages (backboneOptions.stages), and check that the anchor varies across images (regularizer/anchorSimilarity well below 1). MTPSL trains NYU-v2 at 288×384: a 9×12 bottleneck.';

/**
 * Collapse diagnostics, logged with the loss (no gradient reaches them): `anchorSimilarity`, how alike the anchors f
 * of different images are, and `mappedSimilarity`, how alike the mapped labels M(y_t) of different samples are (any
 * pair code), each the mean cosine over pairs of samples and positions (`crossSampleSimilarity`). A mapping that
 * gives every image the same output (the trivial solution the anchor is meant to prevent) shows `mappedSimilarity`
 * near 1. Each part is present only when it has at least two samples to compare, and only with `diagnostics` on.
 */
function collapseParts(anchor: tf.Tensor, mappedLabels: readonly tf.Tensor4D[]): Record<string, tf.Scalar> {
  const parts: Record<string, tf.Scalar> = {};
  if ((anchor.shape[0] ?? 0) >= 2) parts.anchorSimilarity = crossSampleSimilarity(anchor);
  const mappedCount = mappedLabels.reduce((sum, mapped) => sum + mapped.shape[0], 0);
  if (mappedCount >= 2) {
    parts.mappedSimilarity = crossSampleSimilarity(
      mappedLabels.length === 1 ? mappedLabels[0]! : tf.concat([...mappedLabels], 0),
    );
  }
  return parts;
}

/** How alike the mapped labels of different samples are, per ordered task pair (see `mappingCollapseReport`). */
export interface MappingCollapseReport {
  /** Cross-sample similarity of the anchors (the network's bottleneck features of the same images). */
  readonly anchorSimilarity: number;
  readonly pairs: readonly {
    readonly source: string;
    readonly target: string;
    /** M(y_s) under pair code k(s, t): the source task's labels as the prediction side would see them. */
    readonly sourceSimilarity: number;
    /** M(y_t) under k(s, t): the label side. */
    readonly targetSimilarity: number;
  }[];
}

/**
 * Maps fully labelled samples through every ordered pair of a trained pairwise regularizer (train-mode BN, per sample
 * in faithful mode, all samples at once in clean mode, as in training) and measures, per pair, how alike the outputs
 * of different samples are (`crossSampleSimilarity`), next to the anchors'. Near 1 for the mapped labels while the
 * anchors differ: the mapping has collapsed to one output for every image. `labels` holds every dense task's labels
 * for the same B ≥ 2 samples as `anchor`.
 */
export function mappingCollapseReport(
  regularizer: PairwiseRegularizer,
  tasks: readonly TaskSpec[],
  labels: Readonly<Record<string, tf.Tensor>>,
  anchor: tf.Tensor,
): MappingCollapseReport {
  const dense = tasks.filter((task) => isDenseTask(task));
  const batchSize = anchor.shape[0] ?? 0;
  const similarity = (x: tf.Tensor) => tf.tidy(() => crossSampleSimilarity(x).dataSync()[0]!);
  const mapAll = (task: TaskSpec, taskIndex: number, pair: number) =>
    tf.tidy(() => {
      const prepared = prepareLabel(task, labelOf(labels, task.name));
      if (regularizer.settings.mode === 'clean')
        return regularizer.mappingNetwork.apply(prepared as tf.Tensor4D, taskIndex, pair);
      const perSample = Array.from({ length: batchSize }, (_, sample) =>
        regularizer.mappingNetwork.apply(tf.slice(prepared, [sample], [1]) as tf.Tensor4D, taskIndex, pair),
      );
      return tf.concat(perSample, 0);
    });
  const pairs: Array<MappingCollapseReport['pairs'][number]> = [];
  dense.forEach((source, s) => {
    dense.forEach((target, t) => {
      if (s === t) return;
      const pair = pairIndex(s, t, dense.length);
      const mappedSource = mapAll(source, s, pair);
      const mappedTarget = mapAll(target, t, pair);
      pairs.push({
        source: source.name,
        target: target.name,
        sourceSimilarity: similarity(mappedSource),
        targetSimilarity: similarity(mappedTarget),
      });
      tf.dispose([mappedSource, mappedTarget]);
    });
  });
  return { anchorSimilarity: similarity(anchor), pairs };
}

export interface PairwiseRegularizer extends Regularizer {
  readonly mappingNetwork: FilmMappingNetwork;
  readonly settings: PairwiseSettings;
}

/**
 * The (source, target) task-index pairs of one sample from its label-mask row; `isSource` (default: every task)
 * limits the sources.
 */
export function samplePairs(
  labelled: readonly number[],
  pairs: 'partial' | 'all',
  isSource: (task: number) => boolean = () => true,
): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (let source = 0; source < labelled.length; source++) {
    if (!isSource(source)) continue;
    for (let target = 0; target < labelled.length; target++) {
      if (source === target) continue;
      if (pairs === 'all' || (labelled[source]! < 0.5 && labelled[target]! >= 0.5))
        result.push([source, target]);
    }
  }
  return result;
}

/**
 * Rows `samples` (ascending) of x along axis 0, as slices of contiguous runs joined by concat: the gradient is pad and
 * split, which every backend has, unlike tf.gather's (UnsortedSegmentSum, missing on wasm). All rows: x itself.
 */
export function takeSamples<T extends tf.Tensor>(x: T, samples: readonly number[], batchSize: number): T {
  if (samples.length === batchSize && samples.every((sample, index) => sample === index)) return x;
  const runs: Array<[number, number]> = [];
  for (const sample of samples) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === sample) last[1] += 1;
    else runs.push([sample, 1]);
  }
  const pieces = runs.map(([begin, size]) => tf.slice(x, [begin], [size]));
  return (pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0)) as T;
}

/** λ at a step, with the optional linear ramp-up. */
export function consistencyWeightAt(settings: PairwiseSettings, epoch: number, step: number): number {
  if (settings.rampUp === 'fixed') return settings.consistencyWeight;
  const fraction = settings.iterationsPerEpoch
    ? (step % settings.iterationsPerEpoch) / settings.iterationsPerEpoch
    : 0;
  return settings.consistencyWeight * Math.min(1, (epoch + fraction) / settings.rampUpEpochs);
}

/**
 * Creates the pairwise regularizer with its FiLM mapping network (owned; freed by `dispose`). Only the dense tasks
 * of `tasks` take part (their order defines the pair codes); per-image tasks are ignored.
 */
export function createPairwiseConsistency(options: PairwiseOptions): PairwiseRegularizer {
  const settings: PairwiseSettings = { ...pairwiseDefaults, ...options };
  checkChoices('pairwise', settings, {
    mode: ['faithful', 'clean'],
    pairs: ['partial', 'all'],
    rampUp: ['fixed', 'up'],
    segmentationPrediction: ['straight-through-gumbel', 'softmax'],
    diagnostics: [true, false],
  });
  checkNumbers('pairwise', settings, {
    consistencyWeight: '≥ 0',
    anchorWeight: '≥ 0',
    rampUpEpochs: '≥ 0',
    mappingLearningRate: '> 0',
    filmLearningRate: '> 0',
    widthMultiplier: '> 0',
  });
  // Pairs are formed among dense tasks only (MTPSL maps per-pixel maps); classification tasks are ignored.
  const tasks = options.tasks.filter((task) => isDenseTask(task));
  if (tasks.length < 2) {
    throw new Error(
      `pairwise: needs at least 2 dense tasks; got ${options.tasks.map((t) => `${t.name}:${t.kind}`).join(', ')}`,
    );
  }
  const sourceNames = new Set(settings.sourceTasks ?? tasks.map((task) => task.name));
  for (const name of sourceNames) {
    if (!tasks.some((task) => task.name === name)) {
      throw new Error(
        `pairwise: sourceTasks names '${name}', which is not a dense task here (dense tasks: ${tasks.map((task) => task.name).join(', ')})`,
      );
    }
  }
  const isSource = (task: number) => sourceNames.has(tasks[task]!.name);
  const mappingNetwork = createFilmMappingNetwork({
    tasks,
    widthMultiplier: settings.widthMultiplier,
    stages: settings.stages,
    random: new RandomSource(options.seed ?? 0).fork('pairwise'),
  });
  const taskCount = tasks.length;
  const warnSinglePosition = warnOnce(options.warn);

  /** L_pair per sample [n] for one ordered pair over a group of samples (batch n), and the mapped label. */
  function pairLoss(
    source: TaskSpec,
    target: TaskSpec,
    sourceIndex: number,
    targetIndex: number,
    prediction: tf.Tensor,
    label: tf.Tensor,
    anchor: tf.Tensor,
    random: RandomSource,
  ): { loss: tf.Tensor1D; mappedLabel: tf.Tensor4D } {
    return tf.tidy(() => {
      const pair = pairIndex(sourceIndex, targetIndex, taskCount);
      const mappedPrediction = mappingNetwork.apply(
        preparePrediction(source, prediction, random, settings.segmentationPrediction),
        sourceIndex,
        pair,
      );
      const mappedLabel = mappingNetwork.apply(prepareLabel(target, label), targetIndex, pair);
      if (mappedPrediction.shape.some((size, axis) => size !== anchor.shape[axis])) {
        throw new Error(
          `pairwise: mapping output [${mappedPrediction.shape.join(', ')}] does not match the bottleneck [${anchor.shape.join(', ')}]; set widthMultiplier and stages to the network's`,
        );
      }
      let loss = cosineDistancePerSample(mappedPrediction, mappedLabel);
      if (settings.anchorWeight > 0) {
        const anchored = tf.add(
          cosineDistancePerSample(mappedPrediction, anchor),
          cosineDistancePerSample(mappedLabel, anchor),
        );
        loss = tf.add(loss, tf.mul(settings.anchorWeight, anchored));
      }
      return { loss: loss as tf.Tensor1D, mappedLabel };
    });
  }

  return {
    name: 'pairwise',
    viewsNeeded: 1,
    mappingNetwork,
    settings,
    variableGroups: (): readonly VariableGroup[] => [
      {
        name: 'pairwise-mapping',
        variables: mappingNetwork.mappingVariables,
        learningRate: settings.mappingLearningRate,
        schedule: settings.mappingSchedule,
      },
      {
        name: 'pairwise-film',
        variables: mappingNetwork.filmVariables,
        learningRate: settings.filmLearningRate,
        schedule: settings.filmSchedule,
      },
    ],
    namedVariables: () => mappingNetwork.namedVariables(),
    loss(input: RegularizerInput): LossWithParts {
      const view = input.batch.views?.[0];
      const viewOutput = input.viewOutputs[0];
      if (!view || !viewOutput)
        throw new Error('pairwise: needs 1 extra view (batch.views[0] and viewOutputs[0])');
      const bottleneck = viewOutput.features.bottleneck;
      if (!bottleneck)
        throw new Error('pairwise: the network output has no features.bottleneck (the anchor f)');
      if (bottleneck.rank === 4 && bottleneck.shape[1] === 1 && bottleneck.shape[2] === 1)
        warnSinglePosition(singlePositionWarning);
      const columns = tasks.map((task) => {
        const column = view.taskNames.indexOf(task.name);
        if (column < 0)
          throw new Error(`pairwise: batch has no task '${task.name}' (tasks: ${view.taskNames.join(', ')})`);
        return column;
      });
      // The one host read: the [B, T] label mask decides which pairs exist (it is input data, not a computed value).
      const maskRows = view.labelMask.arraySync().map((row) => columns.map((column) => row[column]!));
      const batchSize = maskRows.length;
      const weight = consistencyWeightAt(settings, input.epoch, input.step);
      return tf.tidy(() => {
        const anchor = stopGradient(bottleneck);
        const predictions = tasks.map((task) => predictionOf(viewOutput.predictions, task.name));
        const labels = tasks.map((task) => labelOf(view.labels, task.name));
        const terms: tf.Tensor[] = [];
        const mappedLabels: tf.Tensor4D[] = [];
        let pairTotal = 0;
        /** Pair (s, t) over the samples `take` selects (`count` of them). */
        const addPair = (s: number, t: number, take: (x: tf.Tensor) => tf.Tensor, count: number) => {
          const { loss, mappedLabel } = pairLoss(
            tasks[s]!,
            tasks[t]!,
            s,
            t,
            take(predictions[s]!),
            take(labels[t]!),
            take(anchor),
            input.random,
          );
          terms.push(loss);
          mappedLabels.push(mappedLabel);
          pairTotal += count;
        };
        if (settings.mode === 'faithful') {
          maskRows.forEach((row, sample) => {
            const take = (x: tf.Tensor) => tf.slice(x, [sample], [1]);
            for (const [s, t] of samplePairs(row, settings.pairs, isSource)) addPair(s, t, take, 1);
          });
        } else {
          for (let s = 0; s < taskCount; s++) {
            for (let t = 0; t < taskCount; t++) {
              if (s === t) continue;
              const samples = maskRows.flatMap((row, sample) =>
                samplePairs(row, settings.pairs, isSource).some(([a, b]) => a === s && b === t)
                  ? [sample]
                  : [],
              );
              if (samples.length === 0) continue;
              addPair(s, t, (x: tf.Tensor) => takeSamples(x, samples, batchSize), samples.length);
            }
          }
        }
        const consistency = terms.length > 0 ? tf.div(tf.sum(tf.concat(terms)), batchSize) : tf.scalar(0);
        return {
          loss: weighted(weight, consistency) as tf.Scalar,
          parts: {
            consistency: consistency as tf.Scalar,
            pairs: tf.scalar(pairTotal),
            ...(settings.diagnostics ? collapseParts(anchor, mappedLabels) : {}),
          },
        };
      });
    },
    dispose: () => mappingNetwork.dispose(),
  };
}
