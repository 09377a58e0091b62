// Kernel 'MaxPoolGrad' for the wasm backend, replacing tfjs-backend-wasm 4.22's, which (1) routes no gradient out of
// a pooling window whose maximum is negative (its running maximum starts at 0, not −∞: 2,073 of 131,072 input
// positions wrong for 8×32×32×16 uniform values in [−0.5, 0.5)) and (2) sends a tied window's gradient to its last
// maximum, where the cpu backend and PyTorch send it to the first. This one follows the cpu backend: the whole of each
// window's dy goes to the first position (row-major) holding the window's maximum, padding excluded. (1) needs signed
// inputs (none of our networks pools before a ReLU); (2) changes gradients wherever a window ties: often in networks
// fed piecewise-constant maps (the regularizers' networks reading label stacks), rarely elsewhere.
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** Pooling geometry, as `backend_util.computePool2DInfo` gives it. */
export interface MaxPoolGeometry {
  readonly batchSize: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** dx (zeroed here) of max pooling x [B, H, W, C] for the output gradient dy [B, OH, OW, C]. */
export function maxPoolGradValues(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  geometry: MaxPoolGeometry,
): void {
  const { batchSize, inHeight, inWidth, channels, outHeight, outWidth } = geometry;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const imageOffset = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * geometry.strideHeight - geometry.padTop;
      for (let ox = 0; ox < outWidth; ox++) {
        const left = ox * geometry.strideWidth - geometry.padLeft;
        const dyOffset = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let fy = 0; fy < geometry.filterHeight; fy++) {
            const y = top + fy;
            if (y < 0 || y >= inHeight) continue;
            for (let fx = 0; fx < geometry.filterWidth; fx++) {
              const xx = left + fx;
              if (xx < 0 || xx >= inWidth) continue;
              const index = imageOffset + (y * inWidth + xx) * channels + c;
              const value = x[index]!;
              if (value > best || bestIndex < 0) {
                best = value;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex]! += dy[dyOffset + c]!;
        }
      }
    }
  }
}

const maxPoolGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as unknown as WasmBackendLike;
  const out = wasm.makeOutput([...input.shape], 'float32');
  // Views are taken after makeOutput, which may grow (and so move) the heap.
  maxPoolGradValues(
    wasm.typedArrayFromHeap(input),
    wasm.typedArrayFromHeap(dy),
    wasm.typedArrayFromHeap(out),
    {
      batchSize: info.batchSize,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      channels: info.inChannels,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      filterHeight: info.effectiveFilterHeight,
      filterWidth: info.effectiveFilterWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    },
  );
  return out;
};

export const maxPoolGradWasmKernel: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm,
};
