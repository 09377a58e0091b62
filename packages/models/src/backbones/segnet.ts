// SegNet backbone in the MTAN shape (Liu, Johns & Davison, "End-to-End Multi-Task Learning with Attention",
// arXiv 1803.10704; SegNet: arXiv 1511.00561), layer for layer as /work/shared/bench/segnet_torch_step.py:
// encoder 64-128-256-512-512 with 2-2-3-3-3 CBR, 2×2 max pooling, mirrored decoder with max-unpooling.
// Divergence: unpooling uses an equality mask instead of argmax indices; by default (spec) ties fill every tied
// position, `unpoolTies: 'first'` reproduces PyTorch's first-index choice exactly. Extension: `stages` keeps only the
// first 1–5 encoder stages (and their mirrored decoder stages), for inputs too small for five 2×2 pools.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { type ConvBnReluBlock, createConvBnRelu } from '../layers/conv-bn-relu.js';
import { collectTrainable, disposeAll, type LayerVariables, mergeNamedVariables } from '../layers/layer.js';
import { maxPool2x2, maxUnpool2x2, type UnpoolTies, unpoolTiesModes } from '../layers/max-pool.js';
import { type Backbone, type BackboneOptions, checkImages, checkWidthMultiplier } from './backbone.js';

/** Base channels and CBR repeats of the five encoder stages. */
export const segnetStageChannels = [64, 128, 256, 512, 512] as const;
export const segnetStageRepeats = [2, 2, 3, 3, 3] as const;

/** The full SegNet's stage count (MTAN, MTPSL and JTR all use five). */
export const segnetDefaultStages = 5;

/**
 * Channels of the first `stages` encoder stages at a width multiplier: max(8, floor(c · width)) as the reference.
 */
export function segnetChannels(widthMultiplier: number, stages: number = segnetDefaultStages): number[] {
  return segnetStageChannels
    .slice(0, checkSegNetStages(stages))
    .map((channels) => Math.max(8, Math.floor(channels * widthMultiplier)));
}

/** Validates a SegNet stage count (an integer in 1..5) and returns it; `field` names it in the error. */
export function checkSegNetStages(stages: number, field = 'segnet.stages'): number {
  if (!Number.isInteger(stages) || stages < 1 || stages > segnetStageChannels.length) {
    throw new Error(
      `${field}: expected an integer in 1..${segnetStageChannels.length}, got ${String(stages)}`,
    );
  }
  return stages;
}

function createStage(
  name: string,
  inChannels: number,
  outChannels: number,
  repeats: number,
  random: RandomSource,
): ConvBnReluBlock[] {
  return Array.from({ length: repeats }, (_, index) =>
    createConvBnRelu({
      name: `${name}.${index}`,
      inChannels: index === 0 ? inChannels : outChannels,
      outChannels,
      random,
    }),
  );
}

function runStage(stage: readonly ConvBnReluBlock[], x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return tf.tidy(() => stage.reduce((features, block) => block.apply(features, training), x));
}

export interface SegNetPartOptions {
  readonly inChannels?: number;
  readonly widthMultiplier?: number;
  /**
   * Encoder stages kept (1..5, default 5): the bottleneck is H/2^stages × W/2^stages. Fewer stages suit small inputs
   * (at 32×32 five pools leave a 1×1 bottleneck). Encoder and decoder of one network must agree.
   */
  readonly stages?: number;
  /** Encoder only: which tied maxima of a pooling window get the unpooled value (default 'all', as jtr.md §3). */
  readonly unpoolTies?: UnpoolTies;
  /** Prefix of variable names (default 'encoder' / 'decoder'). */
  readonly name?: string;
  readonly random: RandomSource;
}

export interface SegNetEncoderOutput {
  /** Last pooled feature, [B, H/32, W/32, C5] at five stages (JTR's latent z, the pairwise anchor). */
  readonly bottleneck: tf.Tensor4D;
  /** Unpooling masks per stage, stage 1 first ([B, H, W, C1], ...). */
  readonly unpoolMasks: readonly tf.Tensor4D[];
}

export interface SegNetEncoder extends LayerVariables {
  readonly channels: readonly number[];
  readonly inChannels: number;
  readonly stages: readonly (readonly ConvBnReluBlock[])[];
  /** Runs the stages; every returned tensor is new and owned by the caller. */
  apply(x: tf.Tensor4D, training: boolean): SegNetEncoderOutput;
}

/** The SegNet encoder alone (5 CBR stages by default, each followed by 2×2 max pooling). */
export function createSegNetEncoder(options: SegNetPartOptions): SegNetEncoder {
  const inChannels = options.inChannels ?? 3;
  const name = options.name ?? 'encoder';
  const ties = options.unpoolTies ?? 'all';
  if (!unpoolTiesModes.includes(ties))
    throw new Error(
      `segnet.unpoolTies: expected one of ${unpoolTiesModes.join(', ')}, got '${String(ties)}'`,
    );
  const channels = segnetChannels(
    checkWidthMultiplier(options.widthMultiplier ?? 1, 'segnet'),
    options.stages ?? segnetDefaultStages,
  );
  const inputMultiple = 2 ** channels.length;
  const stages = channels.map((outChannels, stage) =>
    createStage(
      `${name}.${stage}`,
      stage === 0 ? inChannels : channels[stage - 1]!,
      outChannels,
      segnetStageRepeats[stage]!,
      options.random,
    ),
  );
  const blocks = stages.flat();
  return {
    channels,
    inChannels,
    stages,
    trainableVariables: collectTrainable(blocks),
    namedVariables: () => mergeNamedVariables(blocks),
    apply(x, training) {
      checkImages(x, inChannels, inputMultiple, 'segnet encoder');
      return tf.tidy(() => {
        const unpoolMasks: tf.Tensor4D[] = [];
        let features = x;
        for (const stage of stages) {
          const { pooled, unpoolMask } = maxPool2x2(runStage(stage, features, training), ties);
          unpoolMasks.push(unpoolMask);
          features = pooled;
        }
        return { bottleneck: features, unpoolMasks };
      });
    },
    dispose: () => disposeAll(blocks),
  };
}

export interface SegNetDecoder extends LayerVariables {
  /** Output channels (the first encoder stage's). */
  readonly outChannels: number;
  readonly stages: readonly (readonly ConvBnReluBlock[])[];
  /** Unpools with the encoder's masks (deepest first) and runs the mirrored stages; returns a new tensor. */
  apply(bottleneck: tf.Tensor4D, unpoolMasks: readonly tf.Tensor4D[], training: boolean): tf.Tensor4D;
}

/** The mirrored decoder: stage k unpools then runs CBR(c_in → c_out) and CBR(c_out → c_out) repeats. */
export function createSegNetDecoder(options: Omit<SegNetPartOptions, 'inChannels'>): SegNetDecoder {
  const name = options.name ?? 'decoder';
  const channels = segnetChannels(
    checkWidthMultiplier(options.widthMultiplier ?? 1, 'segnet'),
    options.stages ?? segnetDefaultStages,
  );
  const inputs = [...channels].reverse(); // 512, 512, 256, 128, 64
  const outputs = [channels[0]!, ...channels.slice(0, -1)].reverse(); // 512, 256, 128, 64, 64
  const repeats = segnetStageRepeats.slice(0, channels.length).reverse();
  const stages = inputs.map((inChannels, stage) =>
    createStage(`${name}.${stage}`, inChannels, outputs[stage]!, repeats[stage]!, options.random),
  );
  const blocks = stages.flat();
  return {
    outChannels: outputs[outputs.length - 1]!,
    stages,
    trainableVariables: collectTrainable(blocks),
    namedVariables: () => mergeNamedVariables(blocks),
    apply(bottleneck, unpoolMasks, training) {
      if (unpoolMasks.length !== stages.length) {
        throw new Error(
          `segnet decoder: expected ${stages.length} unpooling masks, got ${unpoolMasks.length}`,
        );
      }
      return tf.tidy(() => {
        let features = bottleneck;
        stages.forEach((stage, index) => {
          features = runStage(
            stage,
            maxUnpool2x2(features, unpoolMasks[unpoolMasks.length - 1 - index]!),
            training,
          );
        });
        return features;
      });
    },
    dispose: () => disposeAll(blocks),
  };
}

export interface SegNetOptions extends BackboneOptions {
  readonly unpoolTies?: UnpoolTies;
  /** Encoder (and decoder) stages, 1..5 (default 5); the bottleneck is H/2^stages × W/2^stages. */
  readonly stages?: number;
  readonly random: RandomSource;
}

export interface SegNetBackbone extends Backbone {
  readonly encoder: SegNetEncoder;
  readonly decoder: SegNetDecoder;
}

/** SegNet encoder + decoder as a backbone: `bottleneck` = last pooled encoder feature, `shared` = decoder output. */
export function createSegNet(options: SegNetOptions): SegNetBackbone {
  const name = options.name ?? 'backbone';
  const partOptions = {
    widthMultiplier: options.widthMultiplier ?? 1,
    stages: options.stages ?? segnetDefaultStages,
    random: options.random,
  };
  const encoder = createSegNetEncoder({
    ...partOptions,
    inChannels: options.inChannels ?? 3,
    unpoolTies: options.unpoolTies ?? 'all',
    name: `${name}.encoder`,
  });
  const decoder = createSegNetDecoder({ ...partOptions, name: `${name}.decoder` });
  const parts = [encoder, decoder];
  return {
    kind: 'segnet',
    encoder,
    decoder,
    sharedLayout: 'map',
    sharedChannels: decoder.outChannels,
    bottleneckChannels: encoder.channels[encoder.channels.length - 1]!,
    inputMultiple: 2 ** encoder.channels.length,
    trainableVariables: collectTrainable(parts),
    namedVariables: () => mergeNamedVariables(parts),
    apply(images, training) {
      return tf.tidy(() => {
        const { bottleneck, unpoolMasks } = encoder.apply(images, training);
        const shared = decoder.apply(bottleneck, unpoolMasks, training);
        return { bottleneck, shared };
      });
    },
    dispose: () => disposeAll(parts),
  };
}
