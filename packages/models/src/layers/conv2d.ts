// 2-D convolution layer on explicit tf.Variables (NHWC, weights [kh, kw, cin, cout]), PyTorch `nn.Conv2d`
// semantics: symmetric padding (kernel−1)·dilation/2, Xavier-normal weights (Glorot & Bengio 2010), zero bias,
// as MTAN (arXiv 1803.10704), MTPSL (arXiv 2111.14893) and JTR (arXiv 2404.01976) initialise their convs.

import type { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { countingOutput } from './counting.js';
import { isCountingFlops, reportMultiplyAdds } from './flop-counter.js';
import { constantVariable, normalVariable, xavierNormalStd } from './initializers.js';
import type { LayerVariables } from './layer.js';

export interface Conv2dOptions {
  /** Stable name, used as the prefix of the variable names (`<name>.weight`, `<name>.bias`). */
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square kernel size (default 3). */
  readonly kernelSize?: number;
  readonly stride?: number;
  readonly dilation?: number;
  /** Add a bias (default true). */
  readonly bias?: boolean;
  /** Seeded source of the initial weights. */
  readonly random: RandomSource;
}

export const conv2dDefaults = { kernelSize: 3, stride: 1, dilation: 1, bias: true } as const;

export interface Conv2dLayer extends LayerVariables {
  readonly name: string;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly options: Required<Omit<Conv2dOptions, 'random'>>;
  /** Convolves x [B, H, W, inChannels]; returns a new tensor the caller owns. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

function checkPositiveInteger(value: number, field: string, name: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`conv2d '${name}'.${field}: expected a positive integer, got ${value}`);
}

export function createConv2d(options: Conv2dOptions): Conv2dLayer {
  const resolved = {
    name: options.name,
    inChannels: options.inChannels,
    outChannels: options.outChannels,
    kernelSize: options.kernelSize ?? conv2dDefaults.kernelSize,
    stride: options.stride ?? conv2dDefaults.stride,
    dilation: options.dilation ?? conv2dDefaults.dilation,
    bias: options.bias ?? conv2dDefaults.bias,
  };
  for (const field of ['inChannels', 'outChannels', 'kernelSize', 'stride', 'dilation'] as const) {
    checkPositiveInteger(resolved[field], field, resolved.name);
  }
  if (resolved.stride > 1 && resolved.dilation > 1) {
    throw new Error(
      `conv2d '${resolved.name}': stride and dilation cannot both exceed 1 (TensorFlow.js restriction)`,
    );
  }
  const { kernelSize, inChannels, outChannels } = resolved;
  const std = xavierNormalStd(inChannels * kernelSize * kernelSize, outChannels * kernelSize * kernelSize);
  const weight = normalVariable(
    [kernelSize, kernelSize, inChannels, outChannels],
    std,
    options.random,
    `${resolved.name}.weight`,
  );
  const bias = resolved.bias ? constantVariable([outChannels], 0, true, `${resolved.name}.bias`) : undefined;
  const padAmount = ((kernelSize - 1) * resolved.dilation) / 2;
  const sameIsSymmetric = resolved.stride === 1 && kernelSize % 2 === 1;
  const padding: 'same' | [[number, number], [number, number], [number, number], [number, number]] =
    sameIsSymmetric
      ? 'same'
      : [
          [0, 0],
          [Math.floor(padAmount), Math.floor(padAmount)],
          [Math.floor(padAmount), Math.floor(padAmount)],
          [0, 0],
        ];
  const trainableVariables = bias ? [weight, bias] : [weight];

  return {
    name: resolved.name,
    weight,
    bias,
    options: resolved,
    trainableVariables,
    namedVariables() {
      const named = new Map<string, tf.Variable>([[`${resolved.name}.weight`, weight]]);
      if (bias) named.set(`${resolved.name}.bias`, bias);
      return named;
    },
    apply(x) {
      const channels = x.shape[3];
      if (x.rank !== 4 || channels !== inChannels) {
        throw new Error(
          `conv2d '${resolved.name}': expected input [B, H, W, ${inChannels}], got [${x.shape.join(', ')}]`,
        );
      }
      if (isCountingFlops()) {
        const [batch, height, width] = x.shape;
        const total = padAmount * 2;
        const effective = (kernelSize - 1) * resolved.dilation + 1;
        const outHeight = sameIsSymmetric
          ? height
          : Math.floor((height + Math.floor(total / 2) * 2 - effective) / resolved.stride) + 1;
        const outWidth = sameIsSymmetric
          ? width
          : Math.floor((width + Math.floor(total / 2) * 2 - effective) / resolved.stride) + 1;
        reportMultiplyAdds(
          batch *
            outHeight *
            outWidth *
            outChannels *
            (inChannels * kernelSize * kernelSize + (bias ? 1 : 0)),
        );
        return countingOutput([batch, outHeight, outWidth, outChannels]) as tf.Tensor4D;
      }
      return tf.tidy(() => {
        const convolved = tf.conv2d(
          x,
          weight as tf.Tensor4D,
          resolved.stride,
          padding,
          'NHWC',
          resolved.dilation,
        );
        return bias ? tf.add(convolved, bias) : convolved;
      });
    },
    dispose() {
      weight.dispose();
      bias?.dispose();
    },
  };
}
