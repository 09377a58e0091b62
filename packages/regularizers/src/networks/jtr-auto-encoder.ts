// The JTR auto-encoder (`SegNet_JTR` of KentoNishi/JTR-CVPR-2024, jtr.md §3): the models package's SegNet encoder
// and decoder with `inChannels` = the joint stack's channels and a width multiplier, then Conv3×3 → Conv1×1 back to
// the stack. Latent z = the 5th pooling output. The unused BatchNorm(Cin) of the official module is dropped.
// Extension: `stages` keeps the first 1–5 encoder stages and their mirrored decoder stages (latent H/2^stages).

import { type RandomSource, stopGradient } from '@partial-mtl/core';
import {
  type Conv2dLayer,
  createConv2d,
  createSegNetDecoder,
  createSegNetEncoder,
  type SegNetDecoder,
  type SegNetEncoder,
  type UnpoolTies,
} from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';

export interface JtrAutoEncoderOptions {
  readonly inChannels: number;
  readonly widthMultiplier: number;
  /** Encoder stages kept (1..5, default 5 as the paper): the latent is H/2^stages × W/2^stages. */
  readonly stages?: number;
  /** Tied maxima that receive the unpooled value: 'all' (default, jtr.md §3) or 'first' (PyTorch's MaxUnpool2d). */
  readonly unpoolTies?: UnpoolTies;
  readonly random: RandomSource;
  /** Prefix of the variable names (default 'jtr'). */
  readonly name?: string;
}

export interface JtrAutoEncoder {
  readonly encoder: SegNetEncoder;
  readonly decoder: SegNetDecoder;
  readonly trainableVariables: readonly tf.Variable[];
  namedVariables(): ReadonlyMap<string, tf.Variable>;
  /** Latent z and reconstruction r of a stack [B, H, W, Cin], batch statistics in BN (train mode). New tensors. */
  apply(stack: tf.Tensor4D): { latent: tf.Tensor4D; reconstruction: tf.Tensor4D };
  /**
   * Latent z through a frozen copy of the encoder: its weights pass through stopGradient, so gradients reach the
   * input but no encoder variable; running statistics are not updated (the official per-sample deepcopy drops them).
   */
  encodeFrozen(stack: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

const batchNormEpsilon = 1e-5;

function frozenConv(conv: Conv2dLayer, x: tf.Tensor4D): tf.Tensor4D {
  const convolved = tf.conv2d(x, stopGradient(conv.weight) as tf.Tensor4D, 1, 'same');
  return (conv.bias ? tf.add(convolved, stopGradient(conv.bias)) : convolved) as tf.Tensor4D;
}

export function createJtrAutoEncoder(options: JtrAutoEncoderOptions): JtrAutoEncoder {
  const name = options.name ?? 'jtr';
  const encoder = createSegNetEncoder({
    inChannels: options.inChannels,
    widthMultiplier: options.widthMultiplier,
    stages: options.stages,
    unpoolTies: options.unpoolTies ?? 'all',
    name: `${name}.encoder`,
    random: options.random,
  });
  const decoder = createSegNetDecoder({
    widthMultiplier: options.widthMultiplier,
    stages: options.stages,
    name: `${name}.decoder`,
    random: options.random,
  });
  const headChannels = decoder.outChannels;
  const headHidden = createConv2d({
    name: `${name}.head.0`,
    inChannels: headChannels,
    outChannels: headChannels,
    kernelSize: 3,
    random: options.random,
  });
  const headOutput = createConv2d({
    name: `${name}.head.1`,
    inChannels: headChannels,
    outChannels: options.inChannels,
    kernelSize: 1,
    random: options.random,
  });
  const parts = [encoder, decoder, headHidden, headOutput];
  return {
    encoder,
    decoder,
    trainableVariables: parts.flatMap((part) => [...part.trainableVariables]),
    namedVariables() {
      const named = new Map<string, tf.Variable>();
      for (const part of parts) for (const [key, variable] of part.namedVariables()) named.set(key, variable);
      return named;
    },
    apply(stack) {
      return tf.tidy(() => {
        const { bottleneck, unpoolMasks } = encoder.apply(stack, true);
        const decoded = decoder.apply(bottleneck, unpoolMasks, true);
        const reconstruction = headOutput.apply(headHidden.apply(decoded));
        return { latent: bottleneck, reconstruction };
      });
    },
    encodeFrozen(stack) {
      return tf.tidy(() => {
        let features = stack;
        for (const stage of encoder.stages) {
          for (const block of stage) {
            const convolved = frozenConv(block.conv, features);
            const { mean, variance } = tf.moments(convolved, [0, 1, 2]);
            const gamma = stopGradient(block.batchNorm.gamma) as tf.Tensor1D;
            const beta = stopGradient(block.batchNorm.beta) as tf.Tensor1D;
            features = tf.relu(
              tf.batchNorm(convolved, mean, variance, beta, gamma, batchNormEpsilon),
            ) as tf.Tensor4D;
          }
          features = tf.maxPool(features, 2, 2, 'valid');
        }
        return features;
      });
    },
    dispose() {
      for (const part of parts) part.dispose();
    },
  };
}
