// Fallback for TensorFlow.js backends that can run Conv2D but lack the 'Conv2DBackpropFilter' kernel (the wasm
// backend of @tensorflow/tfjs-backend-wasm 4.22): re-registers Conv2D's gradient so the filter gradient is itself a
// forward convolution (batch and channels swapped), which such backends do have. Used only when the kernel is absent.
import * as tf from '@tensorflow/tfjs';

type Padding = 'same' | 'valid' | number | readonly (readonly number[])[];

/** [before, after] padding of one spatial axis for a stride-1 convolution. */
function paddingOf(pad: Padding, axis: 1 | 2, kernelSize: number): [number, number] {
  if (pad === 'valid') return [0, 0];
  if (pad === 'same') {
    const total = kernelSize - 1;
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  if (typeof pad === 'number') return [pad, pad];
  const pair = pad[axis];
  if (pair?.length !== 2)
    throw new Error(`conv filter gradient: unsupported explicit padding ${JSON.stringify(pad)}`);
  return [pair[0]!, pair[1]!];
}

/**
 * dL/dfilter of a stride-1, dilation-1 NHWC conv2d, as one forward convolution:
 * dW[i, j, c, o] = Σ_{b, h, w} xPadded[b, h + i, w + j, c] · dy[b, h, w, o]
 * = conv2d(xPadded viewed as [c, H, W, b], dy viewed as a [h, w, b, o] filter, 'valid'), transposed back.
 * Returns a new tensor [kh, kw, inChannels, outChannels]; the caller owns it.
 */
export function convolutionFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  pad: Padding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kernelHeight = 1, kernelWidth = 1] = filterShape;
    const padded = tf.pad(x, [
      [0, 0],
      paddingOf(pad, 1, kernelHeight),
      paddingOf(pad, 2, kernelWidth),
      [0, 0],
    ]);
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
    const gradientAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const result = tf.conv2d(channelsAsBatch, gradientAsFilter, 1, 'valid');
    return tf.transpose(result, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

function isOne(value: unknown): boolean {
  return value === undefined || value === 1 || (Array.isArray(value) && value.every((entry) => entry === 1));
}

/**
 * When the active backend has no 'Conv2DBackpropFilter' kernel, registers a Conv2D gradient whose filter part is
 * `convolutionFilterGradient` (input part unchanged: conv2DBackpropInput). Returns true if it registered it.
 * Only stride 1 and dilation 1 are supported by the fallback (all the small CNN uses); others throw when differentiated.
 */
export function ensureConvolutionFilterGradient(): boolean {
  const backend = tf.getBackend();
  if (tf.getKernel('Conv2DBackpropFilter', backend) !== undefined) return false;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, dilations, pad, dataFormat } = attrs as unknown as {
        strides: number | [number, number];
        dilations: number | [number, number];
        pad: Padding;
        dataFormat: 'NHWC' | 'NCHW';
      };
      if (!isOne(strides) || !isOne(dilations) || dataFormat === 'NCHW') {
        throw new Error(
          `conv filter gradient fallback: backend '${backend}' has no Conv2DBackpropFilter and the fallback supports only stride 1, dilation 1, NHWC`,
        );
      }
      const gradient = dy as tf.Tensor4D;
      return {
        x: () =>
          tf.conv2dTranspose(gradient, filter, x.shape, 1, pad as Parameters<typeof tf.conv2dTranspose>[4]),
        filter: () => convolutionFilterGradient(x, gradient, filter.shape, pad),
      };
    },
  });
  return true;
}
