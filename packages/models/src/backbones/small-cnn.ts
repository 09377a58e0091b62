// Small CNN for per-image tasks (faces at 28×28, 64×64, 112×112): `stages` × [Conv3×3-BN-ReLU, 2×2 max pool
// ('same' padding, so odd sizes round up)], then global average pooling → shared vector [B, F]. A cheap baseline in
// the spirit of the VGG-style face networks (Simonyan & Zisserman, arXiv 1409.1556); not taken from one paper.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { createConvBnRelu } from '../layers/conv-bn-relu.js';
import { isCountingFlops } from '../layers/flop-counter.js';
import { collectTrainable, disposeAll, mergeNamedVariables } from '../layers/layer.js';
import { type Backbone, type BackboneOptions, checkImages, checkWidthMultiplier } from './backbone.js';

export interface SmallCnnOptions extends BackboneOptions {
  /** Number of conv-pool stages (default 4; channels 32, 64, 128, 256, 256, ... × width). */
  readonly stages?: number;
  readonly random: RandomSource;
}

export const smallCnnDefaults = { stages: 4, baseChannels: [32, 64, 128, 256] } as const;

export function createSmallCnn(options: SmallCnnOptions): Backbone {
  const name = options.name ?? 'backbone';
  const inChannels = options.inChannels ?? 3;
  const width = checkWidthMultiplier(options.widthMultiplier ?? 1, 'small-cnn');
  const stageCount = options.stages ?? smallCnnDefaults.stages;
  if (!Number.isInteger(stageCount) || stageCount < 1 || stageCount > 8) {
    throw new Error(`small-cnn.stages: expected an integer in 1..8, got ${String(stageCount)}`);
  }
  const channels = Array.from({ length: stageCount }, (_, stage) =>
    Math.max(8, Math.floor((smallCnnDefaults.baseChannels[Math.min(stage, 3)] ?? 256) * width)),
  );
  const blocks = channels.map((outChannels, stage) =>
    createConvBnRelu({
      name: `${name}.${stage}`,
      inChannels: stage === 0 ? inChannels : channels[stage - 1]!,
      outChannels,
      random: options.random,
    }),
  );
  return {
    kind: 'small-cnn',
    sharedLayout: 'vector',
    sharedChannels: channels[channels.length - 1]!,
    bottleneckChannels: channels[channels.length - 1]!,
    inputMultiple: 1,
    trainableVariables: collectTrainable(blocks),
    namedVariables: () => mergeNamedVariables(blocks),
    apply(images, training) {
      checkImages(images, inChannels, 1, 'small-cnn');
      return tf.tidy(() => {
        let features = images;
        for (const block of blocks) {
          const activated = block.apply(features, training);
          features = isCountingFlops()
            ? (tf.zeros([
                activated.shape[0],
                Math.ceil(activated.shape[1] / 2),
                Math.ceil(activated.shape[2] / 2),
                activated.shape[3],
              ]) as tf.Tensor4D)
            : tf.maxPool(activated, 2, 2, 'same');
        }
        return { bottleneck: features, shared: tf.mean(features, [1, 2]) };
      });
    },
    dispose: () => disposeAll(blocks),
  };
}
