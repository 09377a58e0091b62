// Wires a validated run config to the sibling packages: the network (models registry), the regularizer
// (regularizers registry, by name only), the batches (datasets), the supervised loss and the metrics (metrics).
// The one place where names from a config become objects; the loop never sees a name.

import { labelMaskColumn, type Regularizer, type TaskSpec } from '@partial-mtl/core';
import { collectResults, createTaskMetrics, jtrDelta, primaryMetricValues } from '@partial-mtl/metrics';
import { type BackboneName, createMultiTaskNetwork, supervisedLoss } from '@partial-mtl/models';
import { createRegularizer } from '@partial-mtl/regularizers';
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from './config-schema.js';
import {
  createBatchSources,
  type DatasetSources,
  type OpenedDataset,
  openDataset,
} from './dataset-sources.js';
import type { MetricAccumulator, MetricTable, TrainingComponents } from './loop-options.js';

/** Streaming metrics of every task over a validation pass (each task on the samples labelled for it). */
export function createMetricAccumulator(tasks: readonly TaskSpec[]): MetricAccumulator {
  const metrics = createTaskMetrics(tasks);
  return {
    update(output, batch) {
      for (const task of tasks) {
        const prediction = output.predictions[task.name];
        const label = batch.labels[task.name];
        if (!prediction || !label) continue;
        const mask = labelMaskColumn(batch, task.name, tf);
        try {
          metrics[task.name]!.update(prediction, label, mask);
        } finally {
          mask.dispose();
        }
      }
    },
    result: () => collectResults(metrics),
  };
}

/** JTR-style Δm (one primary metric per task, a fraction); NaN when a value makes it undefined. */
export function createDeltaM(
  tasks: readonly TaskSpec[],
): (results: MetricTable, baseline: MetricTable) => number {
  return (results, baseline) => {
    try {
      return jtrDelta(primaryMetricValues(tasks, results), primaryMetricValues(tasks, baseline));
    } catch {
      return Number.NaN;
    }
  };
}

/** One inference pass on a blank image of the data set's size, so a size mismatch fails before training. */
async function checkNetworkFitsData(
  network: ReturnType<typeof createMultiTaskNetwork>,
  dataset: OpenedDataset,
): Promise<void> {
  const sample = await dataset.train.read(0);
  const [height, width, channels] = sample.image.shape;
  try {
    tf.tidy(() => {
      network.apply(tf.zeros([1, height!, width!, channels!]) as tf.Tensor4D, { training: false });
    });
  } catch (error) {
    network.dispose();
    throw new Error(
      `model: the ${network.config.backbone} network cannot take the data set's ${height}×${width} images (${(error as Error).message})`,
    );
  }
}

/** What `buildComponents` returns: the training loop's components and the data set they were built from. */
export interface BuiltComponents extends TrainingComponents {
  /** The opened data set (its splits, tasks and samples), for diagnostics that need more than the batch sources. */
  readonly dataset: OpenedDataset;
}

/** Builds every component a run needs. The caller disposes network and regularizer (see `disposeComponents`). */
export async function buildComponents(config: RunConfig, sources?: DatasetSources): Promise<BuiltComponents> {
  const regularizerSeed = config.seed + 1;
  const dataset = await openDataset(config, sources);
  const tasks = dataset.tasks;
  const network = createMultiTaskNetwork({
    backbone: config.model.backbone as BackboneName,
    tasks,
    widthMultiplier: config.model.widthMultiplier,
    seed: config.seed,
    backboneOptions: config.model.backboneOptions,
  });
  await checkNetworkFitsData(network, dataset);
  // Facts about the network and data every regularizer may use (the user's options override them).
  const batchesPerEpoch = Math.floor(dataset.train.length / config.data.batchSize);
  const context = {
    widthMultiplier: config.model.widthMultiplier,
    iterationsPerEpoch: Math.max(1, batchesPerEpoch),
    // Pairwise's mapping network has the SegNet's stage count, so its output matches the bottleneck.
    ...(config.regularizer.name === 'pairwise' && config.model.backboneOptions.stages !== undefined
      ? { stages: config.model.backboneOptions.stages }
      : {}),
    // Distribution matching's relatedness: the data's own matrix when it has one (its default, Du et al. 2014, needs
    // real AU names).
    ...(config.regularizer.name === 'distribution-matching' && dataset.relatedness
      ? { relatedness: dataset.relatedness }
      : {}),
  };
  let regularizer: Regularizer;
  try {
    regularizer = createRegularizer(config.regularizer.name, {
      ...context,
      ...config.regularizer.options,
      tasks,
      seed: regularizerSeed,
    } as Parameters<typeof createRegularizer>[1]);
  } catch (error) {
    network.dispose();
    throw new Error(`regularizer: ${(error as Error).message}`);
  }
  const batches = createBatchSources(dataset, config, regularizer.viewsNeeded);
  return {
    dataset,
    tasks,
    network,
    regularizer,
    supervisedLoss: (taskList, output, batch) => supervisedLoss(taskList, output, batch),
    trainBatches: batches.train,
    validationBatches: batches.validation,
    createMetrics: () => createMetricAccumulator(tasks),
    deltaM: createDeltaM(tasks),
  };
}

export function disposeComponents(components: TrainingComponents): void {
  components.network.dispose();
  components.regularizer.dispose();
}
