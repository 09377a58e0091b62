// Distribution matching and soft co-annotation between a multiclass task and a multilabel task (Kollias,
// Sharmanska & Zafeiriou, "Distribution Matching for Multi-Task Learning of Classification Tasks", AAAI 2024,
// arXiv 2401.01219). The paper's method section was not checked: every exact formula here is [U] (recalled) or
// [D] (project default), as marked; names follow the generic class → attribute reading (expression → AU).

import type {
  LossWithParts,
  Regularizer,
  RegularizerInput,
  TaskSpec,
  VariableGroup,
} from '@partial-mtl/core';
import { oneHotFloat32, stopGradient } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import {
  checkChoices,
  checkNumbers,
  labelOf,
  maskColumnOf,
  predictionOf,
  type RegularizerBaseOptions,
  weighted,
} from './common-options.js';
import { type CoannotatedData, du2014Relatedness, estimateRelatedness } from './relatedness.js';

export interface DistributionMatchingSettings {
  /** Relatedness source: Du et al. 2014 table, empirical estimate from `coannotatedData`, or a K×M matrix. */
  readonly relatedness: 'du2014' | 'empirical' | readonly (readonly number[])[];
  /** Du 2014 observational AUs: their share [U] or 1 [U]. */
  readonly observationalValue: 'share' | 'one';
  /** Smoothing of the empirical estimate [D]. */
  readonly alpha: number;
  /** Normalisation of the supervised masked attribute BCE (`supervisedClassificationLoss`) [D]. */
  readonly auNormalisation: 'batch' | 'sample';
  /** Soft co-annotation [U]; 'hard' is the FaceBehaviorNet style [U]. */
  readonly coannotation: 'soft' | 'hard' | 'off';
  /** Matching direction [D]: expression → AU trains the AU head, AU → expression the expression head. */
  readonly direction: 'both' | 'expToAu' | 'auToExp' | 'off';
  /** AU → expression form [D]. */
  readonly auToExpForm: 'perAu' | 'naiveBayes';
  /** Stop-gradient on the matching targets [D]. */
  readonly detachTarget: boolean;
  /** Matching on every sample, or only on samples missing the other task's label [D]. */
  readonly dmOn: 'all' | 'missingOther';
  readonly lambdaSca: number;
  readonly lambdaDm: number;
  /** Clip of the implied marginals q [D]. */
  readonly probabilityClip: number;
  /** Clip of R inside logarithms [D]. */
  readonly relatednessClip: number;
}

/** The defaults block of distribution-matching.md §4, all [D]. */
export const distributionMatchingDefaults: DistributionMatchingSettings = {
  relatedness: 'du2014',
  observationalValue: 'share',
  alpha: 1,
  auNormalisation: 'batch',
  coannotation: 'soft',
  direction: 'both',
  auToExpForm: 'perAu',
  detachTarget: true,
  dmOn: 'all',
  lambdaSca: 1,
  lambdaDm: 1,
  probabilityClip: 1e-6,
  relatednessClip: 1e-3,
};

export interface DistributionMatchingOptions
  extends RegularizerBaseOptions,
    Partial<DistributionMatchingSettings> {
  /** The multiclass task (default: the first multiclass task). */
  readonly classTask?: string;
  /** The multilabel task (default: the first multilabel task). */
  readonly attributeTask?: string;
  /** Class and attribute names for 'du2014' (default: the tasks' labelNames). */
  readonly classNames?: readonly string[];
  readonly attributeNames?: readonly string[];
  /** Data for relatedness 'empirical'. */
  readonly coannotatedData?: CoannotatedData;
}

function findTask(tasks: readonly TaskSpec[], name: string | undefined, kind: TaskSpec['kind']): TaskSpec {
  const task = name === undefined ? tasks.find((t) => t.kind === kind) : tasks.find((t) => t.name === name);
  if (!task) {
    throw new Error(
      `distribution-matching: no ${kind} task${name ? ` named '${name}'` : ''} (tasks: ${tasks.map((t) => `${t.name}:${t.kind}`).join(', ')})`,
    );
  }
  if (task.kind !== kind)
    throw new Error(`distribution-matching: task '${task.name}' is ${task.kind}, expected ${kind}`);
  return task;
}

/** Resolves the relatedness matrix [K][M] from the options. */
export function resolveRelatedness(
  options: DistributionMatchingOptions,
  classTask: TaskSpec,
  attributeTask: TaskSpec,
): number[][] {
  const settings = { ...distributionMatchingDefaults, ...options };
  const classCount = classTask.channels;
  const attributeCount = attributeTask.channels;
  let matrix: number[][];
  if (settings.relatedness === 'du2014') {
    const classNames = options.classNames ?? classTask.labelNames;
    const attributeNames = options.attributeNames ?? attributeTask.labelNames;
    if (!classNames || !attributeNames) {
      throw new Error(
        `distribution-matching: relatedness 'du2014' needs class and AU names (task labelNames or options classNames/attributeNames)`,
      );
    }
    matrix = du2014Relatedness(classNames, attributeNames, {
      observationalValue: settings.observationalValue,
    });
    // An all-zero R would not fail: it would teach a uniform class posterior and match nothing. Say so instead.
    if (matrix.every((row) => row.every((value) => value === 0))) {
      throw new Error(
        `distribution-matching: relatedness 'du2014' found no (expression, AU) pair of Du et al. 2014 among classes [${classNames.join(', ')}] and attributes [${attributeNames.join(', ')}] (AU names like 'AU12' or '12'); pass relatedness: 'empirical' with coannotatedData, or a ${classCount}×${attributeCount} matrix`,
      );
    }
  } else if (settings.relatedness === 'empirical') {
    if (!options.coannotatedData)
      throw new Error(`distribution-matching: relatedness 'empirical' needs coannotatedData`);
    matrix = estimateRelatedness(options.coannotatedData, classCount, attributeCount, settings.alpha);
  } else {
    matrix = settings.relatedness.map((row) => [...row]);
  }
  if (matrix.length !== classCount || matrix.some((row) => row.length !== attributeCount)) {
    throw new Error(`distribution-matching: relatedness must be ${classCount}×${attributeCount}`);
  }
  return matrix;
}

/** Elementwise BCE with logits and a (possibly soft, possibly differentiable) target: softplus(z) − z·t. */
export function binaryCrossEntropyWithLogits(target: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  );
}

/** Sum of `perSample` [B] over eligible samples divided by their count; 0 when none is eligible. */
function meanOverEligible(perSample: tf.Tensor, eligible: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(perSample, eligible)), tf.maximum(tf.sum(eligible), 1)) as tf.Scalar;
}

export interface ClassificationTensors {
  readonly classLogits: tf.Tensor2D;
  readonly attributeLogits: tf.Tensor2D;
  /** [B] 1 where the sample has a class label. */
  readonly hasClass: tf.Tensor1D;
  /** [B] class ids (anything where hasClass is 0). */
  readonly classLabels: tf.Tensor1D;
  /** [B, M] 0/1 labels (anything where the mask is 0) and [B, M] annotation mask. */
  readonly attributeLabels: tf.Tensor2D;
  readonly attributeMask: tf.Tensor2D;
}

/**
 * Co-annotation and matching terms, unweighted (tidy; the caller owns the four scalars). `relatedness` is R [K, M];
 * only AUs with a non-zero column of R take part (a zero column would teach "always off").
 */
export function distributionMatchingTerms(
  inputs: ClassificationTensors,
  relatedness: tf.Tensor2D,
  settings: DistributionMatchingSettings,
): Record<
  | 'coannotationClassToAttribute'
  | 'coannotationAttributeToClass'
  | 'matchingClassToAttribute'
  | 'matchingAttributeToClass',
  tf.Scalar
> {
  return tf.tidy(() => {
    const classCount = relatedness.shape[0];
    const related = tf.cast(tf.greater(tf.sum(tf.abs(relatedness), 0), 0), 'float32'); // [M]
    const relatedCount = tf.maximum(tf.sum(related), 1);
    const meanOverRelated = (values: tf.Tensor) => tf.div(tf.sum(tf.mul(values, related), -1), relatedCount);
    const clippedR = tf.clipByValue(relatedness, settings.relatednessClip, 1 - settings.relatednessClip);
    const logR = tf.transpose(tf.log(clippedR)); // [M, K]
    const logNotR = tf.transpose(tf.log(tf.sub(1, clippedR)));
    const naiveBayesLogScores = (on: tf.Tensor, off: tf.Tensor) =>
      tf.add(tf.matMul(on, logR), tf.matMul(off, logNotR));
    const logProbabilities = tf.logSoftmax(inputs.classLogits, -1);
    const probabilities = tf.softmax(inputs.classLogits, -1);
    const relatedMask = tf.mul(inputs.attributeMask, related);
    const hasAttributes = tf.cast(tf.greater(tf.sum(relatedMask, -1), 0), 'float32');
    const detach = (x: tf.Tensor) => (settings.detachTarget ? stopGradient(x) : x);

    // Soft co-annotation [U]: expression → AU targets R[y, :] on samples with y and no AU labels.
    let coannotationClassToAttribute = tf.scalar(0);
    let coannotationAttributeToClass = tf.scalar(0);
    if (settings.coannotation !== 'off') {
      const oneHotClass = tf.oneHot(tf.cast(tf.maximum(inputs.classLabels, 0), 'int32'), classCount);
      let attributeTarget = tf.matMul(tf.cast(oneHotClass, 'float32'), relatedness);
      if (settings.coannotation === 'hard')
        attributeTarget = tf.cast(tf.greaterEqual(attributeTarget, 0.5), 'float32');
      const eligibleForAttributes = tf.mul(inputs.hasClass, tf.sub(1, hasAttributes));
      coannotationClassToAttribute = meanOverEligible(
        meanOverRelated(binaryCrossEntropyWithLogits(attributeTarget, inputs.attributeLogits)),
        eligibleForAttributes,
      );
      // AU → expression, naive Bayes with a uniform prior [U], on samples with AUs and no y.
      const on = tf.mul(relatedMask, inputs.attributeLabels);
      const off = tf.mul(relatedMask, tf.sub(1, inputs.attributeLabels));
      let classTarget = tf.softmax(naiveBayesLogScores(on, off), -1);
      if (settings.coannotation === 'hard')
        classTarget = oneHotFloat32(tf.argMax(classTarget, -1), classCount);
      const eligibleForClass = tf.mul(hasAttributes, tf.sub(1, inputs.hasClass));
      coannotationAttributeToClass = meanOverEligible(
        tf.neg(tf.sum(tf.mul(classTarget, logProbabilities), -1)),
        eligibleForClass,
      );
    }

    // Distribution matching [U]/[D]: q = clip(p R) is the AU marginal implied by the expression head.
    let matchingClassToAttribute = tf.scalar(0);
    let matchingAttributeToClass = tf.scalar(0);
    const batchSize = inputs.classLogits.shape[0];
    const everySample = tf.ones([batchSize]);
    const implied = tf.clipByValue(
      tf.matMul(probabilities, relatedness),
      settings.probabilityClip,
      1 - settings.probabilityClip,
    );
    if (settings.direction === 'both' || settings.direction === 'expToAu') {
      const eligible = settings.dmOn === 'all' ? everySample : tf.sub(1, hasAttributes);
      matchingClassToAttribute = meanOverEligible(
        meanOverRelated(binaryCrossEntropyWithLogits(detach(implied), inputs.attributeLogits)),
        eligible,
      );
    }
    if (settings.direction === 'both' || settings.direction === 'auToExp') {
      const eligible = settings.dmOn === 'all' ? everySample : tf.sub(1, inputs.hasClass);
      const attributeProbabilities = detach(tf.sigmoid(inputs.attributeLogits));
      let perSample: tf.Tensor;
      if (settings.auToExpForm === 'perAu') {
        perSample = tf.neg(
          meanOverRelated(
            tf.add(
              tf.mul(attributeProbabilities, tf.log(implied)),
              tf.mul(tf.sub(1, attributeProbabilities), tf.log(tf.sub(1, implied))),
            ),
          ),
        );
      } else {
        const on = tf.mul(attributeProbabilities, related);
        const off = tf.mul(tf.sub(1, attributeProbabilities), related);
        const classTarget = detach(tf.softmax(naiveBayesLogScores(on, off), -1));
        perSample = tf.neg(tf.sum(tf.mul(classTarget, logProbabilities), -1));
      }
      matchingAttributeToClass = meanOverEligible(perSample, eligible);
    }
    return {
      coannotationClassToAttribute,
      coannotationAttributeToClass,
      matchingClassToAttribute,
      matchingAttributeToClass,
    };
  });
}

/** Reads the class and attribute tensors of a batch (tidy; the caller disposes every field). */
export function classificationTensors(
  input: RegularizerInput,
  classTask: string,
  attributeTask: string,
): ClassificationTensors {
  return tf.tidy(() => {
    const { batch } = input;
    const classColumn = maskColumnOf(batch.taskNames, classTask);
    const attributeColumn = maskColumnOf(batch.taskNames, attributeTask);
    const classLabelMatrix = labelOf(batch.labels, classTask);
    const classLabels = tf.reshape(classLabelMatrix, [classLabelMatrix.shape[0]!]) as tf.Tensor1D;
    const classLabelled = tf.squeeze(tf.slice(batch.labelMask, [0, classColumn], [-1, 1]), [1]);
    const attributeLabelled = tf.slice(batch.labelMask, [0, attributeColumn], [-1, 1]);
    const rawAttributes = labelOf(batch.labels, attributeTask) as tf.Tensor2D;
    return {
      classLogits: predictionOf(input.output.predictions, classTask) as tf.Tensor2D,
      attributeLogits: predictionOf(input.output.predictions, attributeTask) as tf.Tensor2D,
      hasClass: tf.mul(classLabelled, tf.cast(tf.greaterEqual(classLabels, 0), 'float32')) as tf.Tensor1D,
      classLabels,
      attributeLabels: tf.cast(tf.greater(rawAttributes, 0.5), 'float32') as tf.Tensor2D,
      attributeMask: tf.mul(
        attributeLabelled,
        tf.cast(tf.greaterEqual(rawAttributes, 0), 'float32'),
      ) as tf.Tensor2D,
    };
  });
}

/**
 * The supervised part of the method's objective, `L_exp + L_au` (cross-entropy on samples with a class, masked BCE
 * normalised per batch or per sample): for scripts that use this regularizer without the models package's losses.
 * Tidy; the caller owns the scalar.
 */
export function supervisedClassificationLoss(
  inputs: ClassificationTensors,
  auNormalisation: 'batch' | 'sample' = distributionMatchingDefaults.auNormalisation,
): tf.Scalar {
  return tf.tidy(() => {
    const classCount = inputs.classLogits.shape[1];
    const oneHotClass = tf.oneHot(
      tf.cast(tf.maximum(inputs.classLabels, 0), 'int32'),
      classCount,
      1,
      0,
      'float32',
    );
    const crossEntropy = tf.neg(tf.sum(tf.mul(oneHotClass, tf.logSoftmax(inputs.classLogits, -1)), -1));
    const classLoss = meanOverEligible(crossEntropy, inputs.hasClass);
    const bce = tf.mul(
      binaryCrossEntropyWithLogits(inputs.attributeLabels, inputs.attributeLogits),
      inputs.attributeMask,
    );
    let attributeLoss: tf.Scalar;
    if (auNormalisation === 'batch') {
      attributeLoss = tf.div(tf.sum(bce), tf.maximum(tf.sum(inputs.attributeMask), 1)) as tf.Scalar;
    } else {
      const counts = tf.sum(inputs.attributeMask, -1);
      const perSample = tf.div(tf.sum(bce, -1), tf.maximum(counts, 1));
      attributeLoss = meanOverEligible(perSample, tf.cast(tf.greater(counts, 0), 'float32'));
    }
    return tf.add(classLoss, attributeLoss) as tf.Scalar;
  });
}

/**
 * Creates the distribution-matching regularizer. Its loss is `lambdaSca·L_sca + lambdaDm·L_dm` (no supervised
 * term); it owns R as a constant tensor (disposed by `dispose`) and has no trainable variables.
 */
export function createDistributionMatching(options: DistributionMatchingOptions): Regularizer {
  const settings: DistributionMatchingSettings = { ...distributionMatchingDefaults, ...options };
  checkChoices('distribution-matching', settings, {
    observationalValue: ['share', 'one'],
    auNormalisation: ['batch', 'sample'],
    coannotation: ['soft', 'hard', 'off'],
    direction: ['both', 'expToAu', 'auToExp', 'off'],
    auToExpForm: ['perAu', 'naiveBayes'],
    detachTarget: [true, false],
    dmOn: ['all', 'missingOther'],
  });
  checkNumbers('distribution-matching', settings, {
    lambdaSca: '≥ 0',
    lambdaDm: '≥ 0',
    alpha: '≥ 0',
    probabilityClip: '≥ 0',
    relatednessClip: '≥ 0',
  });
  if (!Array.isArray(settings.relatedness))
    checkChoices('distribution-matching', settings, { relatedness: ['du2014', 'empirical'] });
  const classTask = findTask(options.tasks, options.classTask, 'multiclass');
  const attributeTask = findTask(options.tasks, options.attributeTask, 'multilabel');
  const relatednessMatrix = tf.tensor2d(resolveRelatedness(options, classTask, attributeTask));
  return {
    name: 'distribution-matching',
    viewsNeeded: 0,
    variableGroups: (): readonly VariableGroup[] => [],
    namedVariables: () => new Map<string, tf.Variable>(),
    loss(input: RegularizerInput): LossWithParts {
      const tensors = classificationTensors(input, classTask.name, attributeTask.name);
      try {
        const parts = distributionMatchingTerms(tensors, relatednessMatrix, settings);
        const loss = tf.tidy(() =>
          tf.add(
            weighted(
              settings.lambdaSca,
              tf.add(parts.coannotationClassToAttribute, parts.coannotationAttributeToClass),
            ),
            weighted(
              settings.lambdaDm,
              tf.add(parts.matchingClassToAttribute, parts.matchingAttributeToClass),
            ),
          ),
        ) as tf.Scalar;
        return { loss, parts };
      } finally {
        for (const [key, tensor] of Object.entries(tensors)) {
          if (key !== 'classLogits' && key !== 'attributeLogits') tensor.dispose();
        }
      }
    },
    dispose: () => relatednessMatrix.dispose(),
  };
}
