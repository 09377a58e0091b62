// ResNet-18/34/50 encoder (He et al., "Deep Residual Learning", arXiv 1512.03385; torchvision block shapes,
// convs without bias) with optional dilation for output stride 16/8 (DeepLab, arXiv 1706.05587) and an FPN-lite
// decoder (Lin et al., arXiv 1612.03144): 1×1 laterals, top-down sum, one Conv-BN-ReLU, bilinear upsampling to
// the input size. Divergences: Xavier-normal init (as the other backbones) instead of Kaiming; every block of a
// dilated stage uses the stage's dilation (torchvision keeps the previous dilation in the first block).

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { type ConvBnReluBlock, createConvBnRelu } from '../layers/conv-bn-relu.js';
import { type Conv2dLayer, createConv2d } from '../layers/conv2d.js';
import { countingOutput } from '../layers/counting.js';
import { isCountingFlops } from '../layers/flop-counter.js';
import { collectTrainable, disposeAll, type LayerVariables, mergeNamedVariables } from '../layers/layer.js';
import { type Backbone, type BackboneOptions, checkImages, checkWidthMultiplier } from './backbone.js';

export type ResNetDepth = 18 | 34 | 50;

export const resnetStageBlocks: Readonly<Record<ResNetDepth, readonly number[]>> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
};

export interface ResNetOptions extends BackboneOptions {
  readonly depth: ResNetDepth;
  /** 32 (no dilation), 16 (last stage dilated 2) or 8 (last two stages dilated 2 and 4). Default 32. */
  readonly outputStride?: number;
  /** Channels of the FPN-lite decoder before width scaling (default 128). */
  readonly decoderChannels?: number;
  readonly random: RandomSource;
}

export const resnetDefaults = { outputStride: 32, decoderChannels: 128 } as const;

interface ResidualBlock extends LayerVariables {
  readonly outChannels: number;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

interface BlockOptions {
  readonly name: string;
  readonly inChannels: number;
  readonly channels: number;
  readonly stride: number;
  readonly dilation: number;
  readonly bottleneck: boolean;
  readonly random: RandomSource;
}

function createResidualBlock(options: BlockOptions): ResidualBlock {
  const { name, inChannels, channels, stride, dilation, random } = options;
  const outChannels = options.bottleneck ? channels * 4 : channels;
  const common = { bias: false, random };
  const convs: ConvBnReluBlock[] = options.bottleneck
    ? [
        createConvBnRelu({
          ...common,
          name: `${name}.conv0`,
          inChannels,
          outChannels: channels,
          kernelSize: 1,
        }),
        createConvBnRelu({
          ...common,
          name: `${name}.conv1`,
          inChannels: channels,
          outChannels: channels,
          stride,
          dilation,
        }),
        createConvBnRelu({
          ...common,
          name: `${name}.conv2`,
          inChannels: channels,
          outChannels,
          kernelSize: 1,
          relu: false,
        }),
      ]
    : [
        createConvBnRelu({
          ...common,
          name: `${name}.conv0`,
          inChannels,
          outChannels: channels,
          stride,
          dilation,
        }),
        createConvBnRelu({
          ...common,
          name: `${name}.conv1`,
          inChannels: channels,
          outChannels,
          dilation,
          relu: false,
        }),
      ];
  const needsProjection = stride !== 1 || inChannels !== outChannels;
  const projection = needsProjection
    ? createConvBnRelu({
        ...common,
        name: `${name}.projection`,
        inChannels,
        outChannels,
        kernelSize: 1,
        stride,
        relu: false,
      })
    : undefined;
  const parts: LayerVariables[] = projection ? [...convs, projection] : convs;
  return {
    outChannels,
    trainableVariables: collectTrainable(parts),
    namedVariables: () => mergeNamedVariables(parts),
    apply(x, training) {
      return tf.tidy(() => {
        const residual = convs.reduce((features, conv) => conv.apply(features, training), x);
        const identity = projection ? projection.apply(x, training) : x;
        return tf.relu(tf.add(residual, identity)) as tf.Tensor4D;
      });
    },
    dispose: () => disposeAll(parts),
  };
}

function resize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return tf.clone(x);
  if (isCountingFlops()) return countingOutput([x.shape[0], height, width, x.shape[3]]) as tf.Tensor4D;
  return tf.image.resizeBilinear(x, [height, width], false, true);
}

/** ResNet encoder + FPN-lite decoder; `bottleneck` = last stage output, `shared` = decoder map at input size. */
export function createResNet(options: ResNetOptions): Backbone {
  const name = options.name ?? 'backbone';
  const inChannels = options.inChannels ?? 3;
  const width = checkWidthMultiplier(options.widthMultiplier ?? 1, `resnet${options.depth}`);
  const blocksPerStage = resnetStageBlocks[options.depth];
  if (!blocksPerStage) throw new Error(`resnet.depth: expected 18, 34 or 50, got ${String(options.depth)}`);
  const outputStride = options.outputStride ?? resnetDefaults.outputStride;
  if (outputStride !== 8 && outputStride !== 16 && outputStride !== 32) {
    throw new Error(`resnet${options.depth}.outputStride: expected 8, 16 or 32, got ${String(outputStride)}`);
  }
  const scale = (channels: number) => Math.max(8, Math.floor(channels * width));
  const bottleneckBlocks = options.depth === 50;
  const stem = createConvBnRelu({
    name: `${name}.stem`,
    inChannels,
    outChannels: scale(64),
    kernelSize: 7,
    stride: 2,
    bias: false,
    random: options.random,
  });
  // Stage strides and dilations for the output stride (stem + max pool give 4).
  const strides = outputStride === 32 ? [1, 2, 2, 2] : outputStride === 16 ? [1, 2, 2, 1] : [1, 2, 1, 1];
  const dilations = outputStride === 32 ? [1, 1, 1, 1] : outputStride === 16 ? [1, 1, 1, 2] : [1, 1, 2, 4];
  const stages: ResidualBlock[][] = [];
  let channelsIn = scale(64);
  [64, 128, 256, 512].forEach((base, stage) => {
    const blocks: ResidualBlock[] = [];
    for (let index = 0; index < blocksPerStage[stage]!; index++) {
      const block = createResidualBlock({
        name: `${name}.stage${stage}.${index}`,
        inChannels: channelsIn,
        channels: scale(base),
        stride: index === 0 ? strides[stage]! : 1,
        dilation: dilations[stage]!,
        bottleneck: bottleneckBlocks,
        random: options.random,
      });
      channelsIn = block.outChannels;
      blocks.push(block);
    }
    stages.push(blocks);
  });
  const stageChannels = stages.map((blocks) => blocks[blocks.length - 1]!.outChannels);
  const decoderChannels = scale(options.decoderChannels ?? resnetDefaults.decoderChannels);
  const laterals: Conv2dLayer[] = stageChannels.map((channels, stage) =>
    createConv2d({
      name: `${name}.fpn.lateral${stage}`,
      inChannels: channels,
      outChannels: decoderChannels,
      kernelSize: 1,
      random: options.random,
    }),
  );
  const fuse = createConvBnRelu({
    name: `${name}.fpn.fuse`,
    inChannels: decoderChannels,
    outChannels: decoderChannels,
    random: options.random,
  });
  const parts: LayerVariables[] = [stem, ...stages.flat(), ...laterals, fuse];

  return {
    kind: `resnet${options.depth}`,
    sharedLayout: 'map',
    sharedChannels: decoderChannels,
    bottleneckChannels: stageChannels[3]!,
    inputMultiple: 32,
    trainableVariables: collectTrainable(parts),
    namedVariables: () => mergeNamedVariables(parts),
    apply(images, training) {
      checkImages(images, inChannels, 32, `resnet${options.depth}`);
      const [, height, width] = images.shape;
      return tf.tidy(() => {
        const stemmed = stem.apply(images, training);
        let features = isCountingFlops()
          ? (countingOutput([
              stemmed.shape[0],
              stemmed.shape[1] / 2,
              stemmed.shape[2] / 2,
              stemmed.shape[3],
            ]) as tf.Tensor4D)
          : tf.maxPool(stemmed, 3, 2, 'same');
        const stageOutputs: tf.Tensor4D[] = [];
        for (const blocks of stages) {
          features = blocks.reduce((x, block) => block.apply(x, training), features);
          stageOutputs.push(features);
        }
        // Top-down: deepest lateral, resized and summed into each shallower one.
        let topDown = laterals[3]!.apply(stageOutputs[3]!);
        for (let stage = 2; stage >= 0; stage--) {
          const lateral = laterals[stage]!.apply(stageOutputs[stage]!);
          topDown = tf.add(lateral, resize(topDown, lateral.shape[1], lateral.shape[2]));
        }
        const shared = resize(fuse.apply(topDown, training), height, width);
        return { bottleneck: stageOutputs[3]!, shared };
      });
    },
    dispose: () => disposeAll(parts),
  };
}
