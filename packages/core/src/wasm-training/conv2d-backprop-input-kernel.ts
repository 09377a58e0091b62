// Kernel Conv2DBackpropInput for the wasm backend (conv2dTranspose's forward, and the input gradient of fused
// convolutions): replaces the stock naive loop (~10× the forward conv, performance.md) by the forward-convolution
// formulation of conv2d-input-gradient.ts, which runs on XNNPACK.
import type * as tf from '@tensorflow/tfjs';
import type { Conv2dPad } from './conv-geometry.js';
import { conv2dInputGradient } from './conv2d-input-gradient.js';
import { kernelFromOps } from './kernel-from-ops.js';

interface BackpropInputAttributes {
  strides: number | [number, number];
  pad: Conv2dPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export const conv2dBackpropInputWasmKernel: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as BackpropInputAttributes;
    if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (wasm training): only NHWC is supported');
    return conv2dInputGradient(
      inputShape,
      inputs.dy as tf.Tensor4D,
      inputs.filter as tf.Tensor4D,
      strides,
      pad,
      1,
      dimRoundingMode,
    );
  }),
};
