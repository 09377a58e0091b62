// Research code as a user writes it: open a data set, build a SegNet multi-task network and a regularizer, and
// run the training loop. Swapping the regularizer is the one marked line; nothing else changes.
// Run: node dist/train-with-regularizer.js jtr   (or none, pairwise, distribution-matching with --affect)
import { selectBackend } from '@partial-mtl/core';
import { createMultiTaskNetwork, supervisedLoss } from '@partial-mtl/models';
import { createRegularizer } from '@partial-mtl/regularizers';
import {
  createBatchSources,
  createDeltaM,
  createMetricAccumulator,
  openDataset,
  resolveRunConfig,
  runTraining,
  type TrainingResult,
} from '@partial-mtl/train';

export interface SwapOptions {
  readonly outDir: string;
  /** 'scenes' (semseg, depth, normals: dense tasks) or 'affect' (expression class + action units). */
  readonly data: 'scenes' | 'affect';
  readonly steps: number;
}

/** The data and loader part of the setup, as a validated run config. */
export function swapConfig(options: SwapOptions) {
  return resolveRunConfig({
    seed: 0,
    outDir: options.outDir,
    dataset:
      options.data === 'scenes'
        ? { name: 'synthetic-scenes', options: { height: 32, width: 32, trainCount: 8, validationCount: 4 } }
        : { name: 'synthetic-affect', options: { size: 16, trainCount: 8, validationCount: 4 } },
    split: { scenario: 'onelabel' },
    data: { batchSize: 2, augment: false },
    training: { maxSteps: options.steps },
  });
}

export async function trainWithRegularizer(name: string, options: SwapOptions): Promise<TrainingResult> {
  const config = swapConfig(options);
  const dataset = await openDataset(config);
  const tasks = dataset.tasks;
  const network = createMultiTaskNetwork({
    backbone: options.data === 'scenes' ? 'segnet' : 'small-cnn',
    tasks,
    widthMultiplier: 0.125,
    seed: 0,
  });

  // ← the swap: 'none' | 'pairwise' | 'jtr' | 'distribution-matching' (which reads the data's class → attribute
  // relatedness; the others ignore it)
  const regularizer = createRegularizer(name, {
    tasks,
    seed: 1,
    widthMultiplier: 0.125,
    ...(dataset.relatedness ? { relatedness: dataset.relatedness } : {}),
  });

  const batches = createBatchSources(dataset, config, regularizer.viewsNeeded);
  try {
    return await runTraining(
      {
        tasks,
        network,
        regularizer,
        supervisedLoss,
        trainBatches: batches.train,
        validationBatches: batches.validation,
        createMetrics: () => createMetricAccumulator(tasks),
        deltaM: createDeltaM(tasks),
      },
      {
        outDir: options.outDir,
        seed: 0,
        maxSteps: options.steps,
        optimizer: { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
        progress: 'none',
        log: () => {},
      },
    );
  } finally {
    network.dispose();
    regularizer.dispose();
  }
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'jtr';
  await selectBackend();
  const result = await trainWithRegularizer(name, {
    outDir: `runs/swap-${name}`,
    data: process.argv.includes('--affect') ? 'affect' : 'scenes',
    steps: 20,
  });
  console.log(
    JSON.stringify({
      regularizer: name,
      stopReason: result.stopReason,
      step: result.step,
      metrics: result.lastMetrics,
    }),
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) await main();
