// Gradient of the Conv2D kernel (global: gradients are shared by every backend). On wasm and cpu both halves are
// forward convolutions (conv2d-input-gradient.ts, conv2d-filter-gradient.ts); elsewhere the stock gradient runs,
// unless the conv is dilated, which the stock gradient rejects (tfjs-core Conv2D_grad.ts) and this one supports.
import * as tf from '@tensorflow/tfjs';
import type { Conv2dPad } from './conv-geometry.js';
import { conv2dFilterGradient } from './conv2d-filter-gradient.js';
import { conv2dInputGradient } from './conv2d-input-gradient.js';
import { releaseWhenNextGradientRuns } from './gradient-memory.js';

/** Backends on which the forward-convolution formulation is used (measured faster there). */
export const forwardConvGradientBackends: ReadonlySet<string> = new Set(['wasm', 'cpu']);

interface Conv2DAttributes {
  strides: number | [number, number];
  pad: Conv2dPad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function allOnes(value: number | readonly number[]): boolean {
  return typeof value === 'number' ? value === 1 : value.every((entry) => entry === 1);
}

/** Builds the Conv2D gradient; `stock` (the gradient registered before ours) serves the other backends. */
export function createConv2dGradConfig(stock: tf.GradConfig | undefined): tf.GradConfig {
  return {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttributes;
      const useStock =
        stock !== undefined &&
        (dataFormat === 'NCHW' || (!forwardConvGradientBackends.has(tf.getBackend()) && allOnes(dilations)));
      if (useStock) return stock.gradFunc(dy, saved, attrs);
      if (dataFormat === 'NCHW') throw new Error('Conv2D gradient: only NHWC is supported');
      const dy4 = dy as tf.Tensor4D;
      // The saved x and filter serve this node only: freed once the next gradient runs, not when backprop ends.
      releaseWhenNextGradientRuns([x, filter]);
      return {
        x: () => conv2dInputGradient(x.shape, dy4, filter, strides, pad, dilations, dimRoundingMode),
        filter: () => conv2dFilterGradient(x, dy4, filter.shape, strides, pad, dilations, dimRoundingMode),
      };
    },
  };
}
