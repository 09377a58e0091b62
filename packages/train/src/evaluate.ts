// Evaluation pass: runs the network in inference mode over every validation batch (one epoch, fixed order) and
// accumulates the metrics over the whole set, so results do not depend on the batch size.

import { disposeBatch, type MultiTaskNetwork } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import type { BatchSource, MetricAccumulator, MetricTable } from './loop-options.js';

export async function evaluateNetwork(
  network: MultiTaskNetwork,
  batches: BatchSource,
  metrics: MetricAccumulator,
): Promise<MetricTable> {
  for await (const batch of batches.batches(0, 0)) {
    try {
      tf.tidy(() => {
        const output = network.apply(batch.images, { training: false });
        metrics.update(output, batch);
      });
    } finally {
      disposeBatch(batch);
    }
  }
  return metrics.result();
}

/** Flattens a metric table into 'task/metric' keys (for tables and logs). */
export function flattenMetrics(table: MetricTable): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [task, metrics] of Object.entries(table)) {
    for (const [name, value] of Object.entries(metrics)) flat[`${task}/${name}`] = value;
  }
  return flat;
}
