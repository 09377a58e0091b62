// Model summary: parameter counts per variable group (shared backbone, each task head, non-trainable running
// statistics) and a FLOPs estimate of one forward pass at a given input size. FLOPs = 2 × multiply-adds of the conv
// and linear layers (bias adds counted as one multiply-add each); batch norm, ReLU, pooling, unpooling, resizing and
// normalisation are not counted (a few % for these CNNs), as in the usual FLOPs tables of vision papers.

import type { MultiTaskNetwork } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { countMultiplyAdds } from './layers/flop-counter.js';
import type { PartialMtlNetwork } from './network.js';

export interface SummaryOptions {
  readonly height: number;
  readonly width: number;
  /** Batch size of the counted pass (default 1). */
  readonly batch?: number;
}

export interface NetworkSummary {
  readonly parameters: {
    readonly shared: number;
    readonly tasks: Readonly<Record<string, number>>;
    /** Shared + every task (the trainable total). */
    readonly trainable: number;
    /** Running statistics and other saved variables that are not trained. */
    readonly nonTrainable: number;
  };
  /** Multiply-adds of one forward pass, per part when the network exposes its parts (`backbone`, task names). */
  readonly multiplyAdds: { readonly total: number; readonly parts: Readonly<Record<string, number>> };
  /** 2 × total multiply-adds. */
  readonly flops: number;
  readonly input: readonly [number, number, number, number];
}

function size(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, variable) => sum + variable.size, 0);
}

function hasParts(network: MultiTaskNetwork): network is PartialMtlNetwork {
  const candidate = network as Partial<PartialMtlNetwork>;
  return candidate.backbone !== undefined && candidate.heads !== undefined;
}

/** Counts parameters and estimates the FLOPs of one forward pass at `height × width` (no arithmetic is run). */
export function summarizeNetwork(network: MultiTaskNetwork, options: SummaryOptions): NetworkSummary {
  const batch = options.batch ?? 1;
  const inChannels = typeof network.config.inChannels === 'number' ? network.config.inChannels : 3;
  for (const [field, value] of [
    ['height', options.height],
    ['width', options.width],
    ['batch', batch],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`summarizeNetwork.${field}: expected a positive integer, got ${value}`);
  }
  const tasks = Object.fromEntries(
    network.tasks.map((task) => [task.name, size(network.taskVariables[task.name] ?? [])]),
  );
  const shared = size(network.sharedVariables);
  const trainable = shared + Object.values(tasks).reduce((sum, count) => sum + count, 0);
  const saved = [...network.namedVariables().values()].reduce((sum, variable) => sum + variable.size, 0);
  const input = [batch, options.height, options.width, inChannels] as const;
  const parts: Record<string, number> = {};
  tf.tidy(() => {
    const images = tf.zeros([...input]) as tf.Tensor4D;
    if (hasParts(network)) {
      let sharedFeature: tf.Tensor | undefined;
      parts.backbone = countMultiplyAdds(() => {
        sharedFeature = network.backbone.apply(images, false).shared;
      });
      for (const task of network.tasks)
        parts[task.name] = countMultiplyAdds(() => network.heads[task.name]!.apply(sharedFeature!));
    } else {
      parts.network = countMultiplyAdds(() => network.apply(images, { training: false }));
    }
  });
  const total = Object.values(parts).reduce((sum, count) => sum + count, 0);
  return {
    parameters: { shared, tasks, trainable, nonTrainable: saved - trainable },
    multiplyAdds: { total, parts },
    flops: 2 * total,
    input,
  };
}

/** A few plain-text lines for logs. */
export function formatNetworkSummary(summary: NetworkSummary): string {
  const millions = (count: number) => `${(count / 1e6).toFixed(3)} M`;
  const lines = [
    `input ${summary.input.join('×')}`,
    `parameters: shared ${millions(summary.parameters.shared)}`,
  ];
  for (const [task, count] of Object.entries(summary.parameters.tasks))
    lines.push(`  head ${task}: ${millions(count)}`);
  lines.push(
    `  trainable ${millions(summary.parameters.trainable)}, non-trainable ${millions(summary.parameters.nonTrainable)}`,
  );
  lines.push(
    `forward: ${(summary.flops / 1e9).toFixed(3)} GFLOPs (${Object.entries(summary.multiplyAdds.parts)
      .map(([part, count]) => `${part} ${((2 * count) / 1e9).toFixed(3)}`)
      .join(', ')})`,
  );
  return lines.join('\n');
}
