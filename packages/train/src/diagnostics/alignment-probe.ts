// The run-config side of the hidden-label alignment diagnostic (`diagnostics.hiddenLabelAlignment`): a fixed set
// of training batches read once with every label the data has, measured before the first step and every N steps,
// one line per measurement in `alignment.jsonl`. Training itself is untouched: its batches, its random streams and
// (restored after each measurement) its weights and batch-norm statistics.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { disposeBatch, LabelMaskTable, RandomSource, type TaskBatch } from '@partial-mtl/core';
import { createBatchLoader, fillValueOf } from '@partial-mtl/datasets';
import * as tf from '@tensorflow/tfjs';
import type { BuiltComponents } from '../build-components.js';
import type { RunConfig } from '../config-schema.js';
import { type Alignment, type AlignmentReport, hiddenLabelAlignment } from './hidden-label-alignment.js';

export interface AlignmentProbe {
  /** Measures at `step` and appends the line to `alignment.jsonl`; returns the report. */
  measure(step: number): AlignmentReport;
  dispose(): void;
}

/** One line of `alignment.jsonl` (NaN written as null). */
export interface AlignmentLine {
  readonly step: number;
  readonly epoch: number;
  readonly all: Alignment;
  readonly byTask: Readonly<Record<string, Alignment>>;
}

function jsonNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/**
 * Reads the probe batches (the first `batches` × `data.batchSize` training samples, in order, with every label the
 * data has and the regularizer's extra views) and returns the probe. `resume` keeps an existing alignment.jsonl.
 */
export async function createAlignmentProbe(
  config: RunConfig,
  components: BuiltComponents,
  resume: boolean,
): Promise<AlignmentProbe> {
  const settings = config.diagnostics.hiddenLabelAlignment;
  if (!settings) throw new Error('diagnostics.hiddenLabelAlignment: not set');
  const { dataset, tasks, network, regularizer } = components;
  const taskNames = tasks.map((task) => task.name);
  const wanted = settings.batches * config.data.batchSize;
  if (wanted > dataset.train.length)
    throw new Error(
      `diagnostics.hiddenLabelAlignment.batches: ${settings.batches} batches of ${config.data.batchSize} need ${wanted} training samples, the training set has ${dataset.train.length}`,
    );
  const indices = Array.from({ length: wanted }, (_, i) => i);
  const loader = createBatchLoader({
    source: dataset.train,
    split: LabelMaskTable.full(taskNames, dataset.train.length),
    indices,
    batchSize: config.data.batchSize,
    views: regularizer.viewsNeeded,
    augment: config.data.augment,
    shuffle: false,
    seed: new RandomSource(config.seed).fork('alignment-loader').nextUint32(),
    dropLast: true,
    workers: 0,
  });
  const batches: TaskBatch[] = [];
  for await (const batch of loader) batches.push(batch);
  await loader.close();
  const splitMasks = batches.map(
    (batch) =>
      tf.tensor2d(
        batch.indices.map((row) => taskNames.map((task) => (dataset.split.isLabelled(row, task) ? 1 : 0))),
        [batch.indices.length, taskNames.length],
        'float32',
      ) as tf.Tensor2D,
  );
  const random = new RandomSource(config.seed).fork('alignment');
  const path = join(config.outDir, 'alignment.jsonl');
  if (!resume) writeFileSync(path, '');
  return {
    measure(step) {
      const epoch = Math.floor(step / components.trainBatches.batchesPerEpoch);
      const report = hiddenLabelAlignment(
        {
          tasks,
          network,
          regularizer,
          supervisedLoss: components.supervisedLoss,
          batches,
          splitMasks,
          random,
          step,
          epoch,
        },
        fillValueOf,
      );
      const line: AlignmentLine = { step, epoch, all: report.all, byTask: report.byTask };
      appendFileSync(path, `${JSON.stringify(line, jsonNumber)}\n`);
      return report;
    },
    dispose() {
      for (const batch of batches) disposeBatch(batch);
      tf.dispose(splitMasks);
    },
  };
}
