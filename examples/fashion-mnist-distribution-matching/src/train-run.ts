// One run of the study: the small CNN (models) trained with Adam on the study batches — (a) 'stl': class task only
// on the class-labelled part; (b) 'mtl': both tasks, supervised masked losses; (c) 'dm': (b) + the regularizers'
// distribution matching with soft co-annotation — then evaluated on a labelled image set. The loop is written here
// because the train package's config API opens only named (synthetic) data sets, not in-memory sources and splits.

import {
  disposeBatch,
  type MultiTaskNetwork,
  RandomSource,
  type Regularizer,
  type TaskSpec,
} from '@partial-mtl/core';
import { fashionAttributeRelatedness } from '@partial-mtl/datasets';
import { createTaskMetric } from '@partial-mtl/metrics';
import { createMultiTaskNetwork, disposeNetworkOutput, supervisedLoss } from '@partial-mtl/models';
import { createRegularizer } from '@partial-mtl/regularizers';
import * as tf from '@tensorflow/tfjs';
import {
  attributeTaskName,
  classTaskName,
  fashionStudyTasks,
  type LabelledImages,
  type StudyData,
} from './fashion-data.js';
import { assembleStudyBatch, type BatchEntry, evaluationEntries, PartSampler } from './study-batches.js';
import type { MethodName, StudyOptions } from './study-options.js';

export type RunSettings = Pick<
  StudyOptions,
  | 'steps'
  | 'classBatch'
  | 'attributeBatch'
  | 'unlabelledBatch'
  | 'learningRate'
  | 'width'
  | 'stages'
  | 'flip'
  | 'lambdaDm'
  | 'lambdaSca'
  | 'coannotation'
  | 'direction'
  | 'auToExpForm'
  | 'dmOn'
  | 'dmWarmup'
>;

/** Test (or validation) metrics of one run, fractions in [0, 1]. STL has no attribute head. */
export interface RunMetrics {
  readonly classAccuracy: number;
  readonly classMacroF1: number;
  readonly attributeMeanF1?: number;
}

export interface RunOutcome {
  readonly method: MethodName;
  readonly seed: number;
  readonly metrics: RunMetrics;
  readonly trainSeconds: number;
  readonly evaluationSeconds: number;
  /** Images drawn from each part over the run. */
  readonly seen: { readonly class: number; readonly attribute: number; readonly unlabelled: number };
  /** Mean training loss over the last 10 % of the steps. */
  readonly finalLoss: number;
}

function tasksOf(method: MethodName): readonly TaskSpec[] {
  return method === 'stl'
    ? fashionStudyTasks.filter((task) => task.name === classTaskName)
    : fashionStudyTasks;
}

function createMethodRegularizer(
  method: MethodName,
  tasks: readonly TaskSpec[],
  settings: RunSettings,
  seed: number,
): Regularizer | undefined {
  if (method !== 'dm') return undefined;
  return createRegularizer('distribution-matching', {
    tasks,
    seed,
    classTask: classTaskName,
    attributeTask: attributeTaskName,
    relatedness: fashionAttributeRelatedness,
    coannotation: settings.coannotation,
    direction: settings.direction,
    auToExpForm: settings.auToExpForm,
    dmOn: settings.dmOn,
    lambdaDm: settings.lambdaDm,
    lambdaSca: settings.lambdaSca,
  });
}

/** Trains one model and evaluates it on `evaluationSet`. Frees every tensor it creates. */
export function trainAndEvaluate(
  data: StudyData,
  evaluationSet: LabelledImages,
  method: MethodName,
  seed: number,
  settings: RunSettings,
  log: (line: string) => void = () => {},
): RunOutcome {
  const tasks = tasksOf(method);
  // Same initialisation and the same batches for every method at a given seed: only the loss differs.
  const network = createMultiTaskNetwork({
    backbone: 'small-cnn',
    tasks,
    widthMultiplier: settings.width,
    inChannels: 1,
    seed,
    backboneOptions: { stages: settings.stages },
  });
  const regularizer = createMethodRegularizer(method, tasks, settings, seed);
  const optimizer = tf.train.adam(settings.learningRate);
  const random = new RandomSource(seed).fork('batches');
  const samplers = {
    class: new PartSampler(data.classRows, random.fork('class')),
    attribute: new PartSampler(data.attributeRows, random.fork('attribute')),
    unlabelled: new PartSampler(data.unlabelledRows, random.fork('unlabelled')),
  };
  const flipRandom = settings.flip ? random.fork('flip') : undefined;
  const regularizerRandom = random.fork('regularizer');
  const trainable = [...network.sharedVariables, ...Object.values(network.taskVariables).flat()];
  const recentLosses: number[] = [];
  const tail = Math.max(1, Math.ceil(settings.steps / 10));
  const started = performance.now();
  try {
    for (let step = 0; step < settings.steps; step++) {
      const entries: BatchEntry[] = samplers.class
        .take(settings.classBatch)
        .map((row) => ({ row, hasClass: true, hasAttributes: false }));
      if (method !== 'stl') {
        for (const row of samplers.attribute.take(settings.attributeBatch))
          entries.push({ row, hasClass: false, hasAttributes: true });
        for (const row of samplers.unlabelled.take(settings.unlabelledBatch))
          entries.push({ row, hasClass: false, hasAttributes: false });
      }
      const batch = assembleStudyBatch(data.train, entries, tasks, flipRandom);
      try {
        const cost = tf.tidy((): tf.Scalar => {
          const minimized = optimizer.minimize(
            () => {
              const output = network.apply(batch.images, { training: true });
              let loss = supervisedLoss(tasks, output, batch).loss;
              if (regularizer) {
                const regularization = regularizer.loss({
                  tasks,
                  batch,
                  output,
                  viewOutputs: [],
                  random: regularizerRandom,
                  step,
                  epoch: 0,
                });
                const ramp = settings.dmWarmup > 0 ? Math.min(1, (step + 1) / settings.dmWarmup) : 1;
                loss = tf.add(loss, tf.mul(regularization.loss, ramp));
              }
              return loss;
            },
            true,
            trainable,
          );
          if (!minimized) throw new Error('optimizer returned no loss');
          return minimized;
        });
        const value = cost.dataSync()[0]!;
        cost.dispose();
        if (!Number.isFinite(value))
          throw new Error(`${method} seed ${seed}: non-finite loss ${value} at step ${step}`);
        if (step >= settings.steps - tail) recentLosses.push(value);
        if ((step + 1) % 100 === 0 || step === 0) {
          log(
            `  ${method} seed ${seed} step ${step + 1}/${settings.steps} loss ${value.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
          );
        }
      } finally {
        disposeBatch(batch);
      }
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const evaluationStarted = performance.now();
    const metrics = evaluateNetwork(network, tasks, evaluationSet);
    return {
      method,
      seed,
      metrics,
      trainSeconds,
      evaluationSeconds: (performance.now() - evaluationStarted) / 1000,
      seen: {
        class: samplers.class.drawn,
        attribute: samplers.attribute.drawn,
        unlabelled: samplers.unlabelled.drawn,
      },
      finalLoss: recentLosses.reduce((sum, value) => sum + value, 0) / recentLosses.length,
    };
  } finally {
    optimizer.dispose();
    regularizer?.dispose();
    network.dispose();
  }
}

/** Class accuracy, class macro F1 and (with an attribute head) mean attribute F1 over `images`, 500 at a time. */
export function evaluateNetwork(
  network: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  images: LabelledImages,
  batchSize = 500,
): RunMetrics {
  const metrics = Object.fromEntries(tasks.map((task) => [task.name, createTaskMetric(task)]));
  for (const entries of evaluationEntries(images, batchSize)) {
    const batch = assembleStudyBatch(images, entries, tasks);
    try {
      const output = network.apply(batch.images, { training: false });
      try {
        for (const task of tasks)
          metrics[task.name]!.update(output.predictions[task.name]!, batch.labels[task.name]!);
      } finally {
        disposeNetworkOutput(output);
      }
    } finally {
      disposeBatch(batch);
    }
  }
  const classResult = metrics[classTaskName]!.result();
  const attributeResult = metrics[attributeTaskName]?.result();
  const classAccuracy = classResult.accuracy;
  const classMacroF1 = classResult.macroF1;
  if (classAccuracy === undefined || classMacroF1 === undefined)
    throw new Error('evaluation: no class metric (empty evaluation set?)');
  return {
    classAccuracy,
    classMacroF1,
    ...(attributeResult ? { attributeMeanF1: attributeResult.meanF1 ?? 0 } : {}),
  };
}
