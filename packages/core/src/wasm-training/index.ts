// Training support for the TensorFlow.js wasm backend: registers (idempotently) the Conv2D gradient written as
// forward convolutions, the Conv2DBackpropFilter kernel wasm lacks, a faster Conv2DBackpropInput, a one-pass filter
// flip, a fused Adam update and a MaxPoolGrad that fixes the stock one (it drops windows with a negative maximum);
// exports the batch-norm training op with its closed-form gradient, the fused Adam optimizer and the threaded-wasm
// starter. Measurements: performance.md and the core README ("Training on wasm").
import * as tf from '@tensorflow/tfjs';
import { adamUpdateKernels } from './adam-update-kernel.js';
import { conv2dBackpropFilterWasmKernel } from './conv2d-backprop-filter-kernel.js';
import { conv2dBackpropInputWasmKernel } from './conv2d-backprop-input-kernel.js';
import { createConv2dGradConfig } from './conv2d-grad.js';
import { flipFilterKernels } from './flip-filter-kernel.js';
import { maxPoolGradWasmKernel } from './max-pool-grad-kernel.js';

export { type BatchNormTrainResult, batchNormTrain } from './batch-norm-train.js';
export { conv2dFilterGradient } from './conv2d-filter-gradient.js';
export { forwardConvGradientBackends } from './conv2d-grad.js';
export { conv2dInputGradient, dilateByStride } from './conv2d-input-gradient.js';
export { flipFilter } from './flip-filter-kernel.js';
export { FusedAdamOptimizer, fusedAdam } from './fused-adam.js';
export { initWasmWithThreads, type WasmBackendModule, type WasmThreadsResult } from './wasm-threads.js';

interface SavedRegistrations {
  readonly conv2dGradient: tf.GradConfig | undefined;
  /** Kernels we replaced or added, with what was registered before (undefined = nothing). */
  readonly kernels: ReadonlyArray<{
    readonly config: tf.KernelConfig;
    readonly previous: tf.KernelConfig | undefined;
  }>;
}

let saved: SavedRegistrations | undefined;

function replaceKernel(config: tf.KernelConfig): tf.KernelConfig | undefined {
  const previous = tf.getKernel(config.kernelName, config.backendName);
  if (previous) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  return previous;
}

/**
 * Registers everything training on wasm needs. Safe to call many times and before or after the backend is set;
 * gradients are global, and stay correct on every backend (tested against the cpu kernels).
 */
export function enableWasmTraining(): void {
  if (saved) return;
  const conv2dGradient = tf.getGradient('Conv2D');
  tf.registerGradient(createConv2dGradConfig(conv2dGradient));
  const kernels = [
    conv2dBackpropFilterWasmKernel,
    conv2dBackpropInputWasmKernel,
    ...flipFilterKernels,
    ...adamUpdateKernels,
    maxPoolGradWasmKernel,
  ].map((config) => ({
    config,
    previous: replaceKernel(config),
  }));
  saved = { conv2dGradient, kernels };
}

/** True after `enableWasmTraining()` (and before `disableWasmTraining()`). */
export function isWasmTrainingEnabled(): boolean {
  return saved !== undefined;
}

/** Restores the stock registrations (for side-by-side measurements and tests). */
export function disableWasmTraining(): void {
  if (!saved) return;
  if (saved.conv2dGradient) tf.registerGradient(saved.conv2dGradient);
  for (const { config, previous } of saved.kernels) {
    tf.unregisterKernel(config.kernelName, config.backendName);
    if (previous) tf.registerKernel(previous);
  }
  saved = undefined;
}
