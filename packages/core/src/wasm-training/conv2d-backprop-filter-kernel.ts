// Kernel Conv2DBackpropFilter for the wasm backend, which does not register one (so stock gradients of conv2d,
// fused conv2d and conv2dTranspose fail there): the "channels as batch" forward convolution of
// conv2d-filter-gradient.ts, on XNNPACK.
import type * as tf from '@tensorflow/tfjs';
import type { Conv2dPad } from './conv-geometry.js';
import { conv2dFilterGradient } from './conv2d-filter-gradient.js';
import { kernelFromOps } from './kernel-from-ops.js';

interface BackpropFilterAttributes {
  strides: number | [number, number];
  pad: Conv2dPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export const conv2dBackpropFilterWasmKernel: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as BackpropFilterAttributes;
    if (dataFormat === 'NCHW')
      throw new Error('Conv2DBackpropFilter (wasm training): only NHWC is supported');
    return conv2dFilterGradient(
      inputs.x as tf.Tensor4D,
      inputs.dy as tf.Tensor4D,
      filterShape,
      strides,
      pad,
      1,
      dimRoundingMode,
    );
  }),
};
