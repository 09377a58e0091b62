// Multi-task network with hard parameter sharing (Caruana 1997; the MTAN/MTPSL/JTR baseline, arXiv 1803.10704):
// one shared backbone from the registry + one head per task chosen from its TaskSpec. Implements core's
// MultiTaskNetwork; initialisation is seeded per part (backbone, each head) so adding a task keeps the others' init.

import {
  defineTasks,
  type MultiTaskNetwork,
  type NetworkOutput,
  RandomSource,
  type TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from './backbones/backbone.js';
import { createHead } from './heads/create-head.js';
import type { TaskHead } from './heads/dense-head.js';
import { mergeNamedVariables } from './layers/layer.js';
import { type BackboneName, backboneFactory } from './registry.js';

export interface MultiTaskNetworkOptions {
  readonly backbone: BackboneName;
  readonly tasks: readonly TaskSpec[];
  /** Scales every backbone channel count (default 1). */
  readonly widthMultiplier?: number;
  /** Image channels (default 3). */
  readonly inChannels?: number;
  /** Seed of the weight initialisation (default 0). */
  readonly seed?: number;
  /** Backbone-specific options (plain JSON), e.g. `{ outputStride: 16, decoder: 'aspp' }`. */
  readonly backboneOptions?: Readonly<Record<string, unknown>>;
}

export const multiTaskNetworkDefaults = { widthMultiplier: 1, inChannels: 3, seed: 0 } as const;

/** The plain-JSON config stored in `network.config` and in saved model.json files. */
export type MultiTaskNetworkConfig = {
  readonly backbone: BackboneName;
  readonly tasks: readonly TaskSpec[];
  readonly widthMultiplier: number;
  readonly inChannels: number;
  readonly seed: number;
  readonly backboneOptions: Readonly<Record<string, unknown>>;
};

/** A MultiTaskNetwork that also exposes its parts (for summaries and regularizers). */
export interface PartialMtlNetwork extends MultiTaskNetwork {
  readonly config: MultiTaskNetworkConfig & Readonly<Record<string, unknown>>;
  readonly backbone: Backbone;
  readonly heads: Readonly<Record<string, TaskHead>>;
}

export function createMultiTaskNetwork(options: MultiTaskNetworkOptions): PartialMtlNetwork {
  const tasks = defineTasks(options.tasks);
  const config: MultiTaskNetworkConfig = {
    backbone: options.backbone,
    tasks: tasks.map((task) => ({ ...task })),
    widthMultiplier: options.widthMultiplier ?? multiTaskNetworkDefaults.widthMultiplier,
    inChannels: options.inChannels ?? multiTaskNetworkDefaults.inChannels,
    seed: options.seed ?? multiTaskNetworkDefaults.seed,
    backboneOptions: { ...(options.backboneOptions ?? {}) },
  };
  const factory = backboneFactory(config.backbone);
  const root = new RandomSource(config.seed);
  const backbone = factory({
    inChannels: config.inChannels,
    widthMultiplier: config.widthMultiplier,
    random: root.fork('backbone'),
    name: 'backbone',
    extra: config.backboneOptions,
  });
  const heads: Record<string, TaskHead> = {};
  try {
    for (const task of tasks) {
      heads[task.name] = createHead({
        task,
        inChannels: backbone.sharedChannels,
        sharedLayout: backbone.sharedLayout,
        random: root.fork(`head:${task.name}`),
      });
    }
  } catch (error) {
    backbone.dispose();
    for (const head of Object.values(heads)) head.dispose();
    throw error;
  }
  const taskVariables = Object.fromEntries(
    tasks.map((task) => [task.name, heads[task.name]!.trainableVariables]),
  );
  let disposed = false;

  return {
    tasks,
    config,
    backbone,
    heads,
    sharedVariables: backbone.trainableVariables,
    taskVariables,
    namedVariables: () => mergeNamedVariables([backbone, ...tasks.map((task) => heads[task.name]!)]),
    apply(images: tf.Tensor4D, applyOptions: { training: boolean }): NetworkOutput {
      if (disposed) throw new Error('multi-task network: apply() after dispose()');
      return tf.tidy(() => {
        const { bottleneck, shared } = backbone.apply(images, applyOptions.training);
        const predictions: Record<string, tf.Tensor> = {};
        for (const task of tasks) predictions[task.name] = heads[task.name]!.apply(shared);
        return { predictions, features: { bottleneck, shared } };
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      backbone.dispose();
      for (const head of Object.values(heads)) head.dispose();
    },
  };
}

/** Frees every tensor of a network output (predictions and features). */
export function disposeNetworkOutput(output: NetworkOutput): void {
  for (const prediction of Object.values(output.predictions)) prediction.dispose();
  output.features.bottleneck?.dispose();
  output.features.shared?.dispose();
}
