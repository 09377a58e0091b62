// The CBR block of SegNet/MTAN/JTR: Conv3×3 (pad 1, bias) → BatchNorm → ReLU (MTAN arXiv 1803.10704,
// JTR arXiv 2404.01976 §3 of our spec). Variable names: `<name>.conv.*`, `<name>.bn.*`.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { type BatchNormLayer, createBatchNorm } from './batch-norm-layer.js';
import { type Conv2dLayer, createConv2d } from './conv2d.js';
import { type LayerVariables, mergeNamedVariables } from './layer.js';

export interface ConvBnReluOptions {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize?: number;
  readonly stride?: number;
  readonly dilation?: number;
  /** Apply the ReLU (default true); false gives Conv → BN (ResNet's last conv of a block). */
  readonly relu?: boolean;
  /** Bias in the conv (default true, as the references; ResNets use false). */
  readonly bias?: boolean;
  readonly random: RandomSource;
}

export interface ConvBnReluBlock extends LayerVariables {
  readonly name: string;
  readonly conv: Conv2dLayer;
  readonly batchNorm: BatchNormLayer;
  /** x [B, H, W, inChannels] → [B, H', W', outChannels]; a new tensor the caller owns. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export function createConvBnRelu(options: ConvBnReluOptions): ConvBnReluBlock {
  const conv = createConv2d({
    name: `${options.name}.conv`,
    inChannels: options.inChannels,
    outChannels: options.outChannels,
    kernelSize: options.kernelSize ?? 3,
    stride: options.stride ?? 1,
    dilation: options.dilation ?? 1,
    bias: options.bias ?? true,
    random: options.random,
  });
  const batchNorm = createBatchNorm({ name: `${options.name}.bn`, channels: options.outChannels });
  const relu = options.relu ?? true;
  return {
    name: options.name,
    conv,
    batchNorm,
    trainableVariables: [...conv.trainableVariables, ...batchNorm.trainableVariables],
    namedVariables: () => mergeNamedVariables([conv, batchNorm]),
    apply(x, training) {
      return tf.tidy(() => {
        const normalised = batchNorm.apply(conv.apply(x), training) as tf.Tensor4D;
        return relu ? tf.relu(normalised) : normalised;
      });
    },
    dispose() {
      conv.dispose();
      batchNorm.dispose();
    },
  };
}
