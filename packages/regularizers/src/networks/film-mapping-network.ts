// The pairwise mapping network of MTPSL (Li, Liu & Bilen, arXiv 2111.14893; `model/mapfns.py`): one stem per task
// (Conv3×3 → BN → ReLU) and a shared 13-layer encoder whose every conv is FiLM-conditioned on the ordered task pair
// (`x·gamma[k] + beta[k]` after BN), built from the models package's conv and batch-norm layers. Channels follow the
// SegNet encoder at the same width multiplier and stage count, so the output matches the network's bottleneck.

import type { RandomSource, TaskSpec } from '@partial-mtl/core';
import {
  type BatchNormLayer,
  type Conv2dLayer,
  type ConvBnReluBlock,
  createBatchNorm,
  createConv2d,
  createConvBnRelu,
  segnetChannels,
  segnetDefaultStages,
} from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { pairCount } from '../pairwise-preparation.js';

/** Layers per encoder stage (2-2-3-3-3 = 13 FiLM convs at five stages). */
export const mappingStageRepeats = [2, 2, 3, 3, 3] as const;

interface FilmConv {
  readonly conv: Conv2dLayer;
  readonly batchNorm: BatchNormLayer;
  /** [C_out, T(T − 1)], init 1 and 0. */
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
}

export interface FilmMappingNetworkOptions {
  readonly tasks: readonly TaskSpec[];
  readonly widthMultiplier: number;
  /** Encoder stages (1..5; MTPSL: 5), as the network's SegNet `stages`: the output is H/2^stages × W/2^stages. */
  readonly stages?: number;
  readonly random: RandomSource;
  readonly name?: string;
}

export interface FilmMappingNetwork {
  /** Output channels (the last SegNet stage's at this width). */
  readonly outChannels: number;
  /** Stems, convs and BN affine parameters (optimizer group A). */
  readonly mappingVariables: readonly tf.Variable[];
  /** FiLM gamma and beta tables (optimizer group B). */
  readonly filmVariables: readonly tf.Variable[];
  namedVariables(): ReadonlyMap<string, tf.Variable>;
  /** Maps x [B, H, W, C_t] of task `taskIndex` under pair code `pair` to [B, H/32, W/32, C5] (5 stages); train BN. */
  apply(x: tf.Tensor4D, taskIndex: number, pair: number): tf.Tensor4D;
  dispose(): void;
}

export function createFilmMappingNetwork(options: FilmMappingNetworkOptions): FilmMappingNetwork {
  const name = options.name ?? 'pairwise';
  const channels = segnetChannels(options.widthMultiplier, options.stages ?? segnetDefaultStages);
  const pairs = pairCount(options.tasks.length);
  const stems: ConvBnReluBlock[] = options.tasks.map((task) =>
    createConvBnRelu({
      name: `${name}.stem.${task.name}`,
      inChannels: task.channels,
      outChannels: channels[0]!,
      random: options.random,
    }),
  );
  const stages: FilmConv[][] = [];
  let inChannels = channels[0]!;
  mappingStageRepeats.slice(0, channels.length).forEach((repeats, stage) => {
    const outChannels = channels[stage]!;
    const layers: FilmConv[] = [];
    for (let index = 0; index < repeats; index++) {
      const layerName = `${name}.encoder.${stage}.${index}`;
      layers.push({
        conv: createConv2d({
          name: `${layerName}.conv`,
          inChannels,
          outChannels,
          kernelSize: 3,
          random: options.random,
        }),
        batchNorm: createBatchNorm({ name: `${layerName}.bn`, channels: outChannels }),
        gamma: filmTable(tf.ones([outChannels, pairs]), `${layerName}.gamma#${uniqueSuffix()}`),
        beta: filmTable(tf.zeros([outChannels, pairs]), `${layerName}.beta#${uniqueSuffix()}`),
      });
      inChannels = outChannels;
    }
    stages.push(layers);
  });
  const layers = stages.flat();
  return {
    outChannels: channels[channels.length - 1]!,
    mappingVariables: [
      ...stems.flatMap((stem) => [...stem.trainableVariables]),
      ...layers.flatMap((layer) => [...layer.conv.trainableVariables, ...layer.batchNorm.trainableVariables]),
    ],
    filmVariables: layers.flatMap((layer) => [layer.gamma, layer.beta]),
    namedVariables() {
      const named = new Map<string, tf.Variable>();
      for (const stem of stems) for (const [key, variable] of stem.namedVariables()) named.set(key, variable);
      stages.forEach((stage, stageIndex) => {
        stage.forEach((layer, index) => {
          for (const [key, variable] of layer.conv.namedVariables()) named.set(key, variable);
          for (const [key, variable] of layer.batchNorm.namedVariables()) named.set(key, variable);
          named.set(`${name}.encoder.${stageIndex}.${index}.gamma`, layer.gamma);
          named.set(`${name}.encoder.${stageIndex}.${index}.beta`, layer.beta);
        });
      });
      return named;
    },
    apply(x, taskIndex, pair) {
      const stem = stems[taskIndex];
      if (!stem) throw new Error(`film mapping network: no stem for task index ${taskIndex}`);
      if (!Number.isInteger(pair) || pair < 0 || pair >= pairs)
        throw new Error(`film mapping network: pair ${pair} out of range`);
      return tf.tidy(() => {
        let features = stem.apply(x, true);
        for (const stage of stages) {
          for (const layer of stage) {
            const normalised = layer.batchNorm.apply(layer.conv.apply(features), true);
            const gamma = tf.squeeze(tf.slice(layer.gamma, [0, pair], [-1, 1]), [1]);
            const beta = tf.squeeze(tf.slice(layer.beta, [0, pair], [-1, 1]), [1]);
            features = tf.relu(tf.add(tf.mul(normalised, gamma), beta)) as tf.Tensor4D;
          }
          features = tf.maxPool(features, 2, 2, 'valid');
        }
        return features;
      });
    },
    dispose() {
      for (const stem of stems) stem.dispose();
      for (const layer of layers) {
        layer.conv.dispose();
        layer.batchNorm.dispose();
        layer.gamma.dispose();
        layer.beta.dispose();
      }
    },
  };
}

/**
 * A trainable FiLM table from its initial value, which it then frees: `tf.variable` keeps its own reference to the
 * data, and the initial tensor would otherwise stay registered after `dispose()` (26 tensors per network: 13 layers).
 */
function filmTable(initial: tf.Tensor2D, name: string): tf.Variable {
  const table = tf.variable(initial, true, name);
  initial.dispose();
  return table;
}

let suffixCounter = 0;
/** TensorFlow.js variable names are global; stable names live in `namedVariables`. */
function uniqueSuffix(): number {
  suffixCounter += 1;
  return suffixCounter;
}
