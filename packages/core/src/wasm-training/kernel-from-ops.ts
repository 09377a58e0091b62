// Builds a backend kernel from TensorFlow.js ops. Ops called inside a kernel are not recorded on the gradient tape
// (the engine's kernelDepth > 0), so the kernel stays one node; its intermediates are freed and its result's data
// is handed to the engine with one extra reference, the way stock kernels return an input's data (Reshape).
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

export type OpsKernelBody = (inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => tf.Tensor;

export function kernelFromOps(body: OpsKernelBody): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const owned: tf.Tensor[] = [];
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(inputs)) {
      if (input === undefined) continue;
      if (input instanceof tf.Tensor) {
        tensors[name] = input;
      } else {
        // A bare TensorInfo (a kernel calling this one directly): wrap it without taking its reference.
        (backend as unknown as RefCountingBackend).incRef(input.dataId);
        const wrapped = tf.engine().makeTensorFromTensorInfo(input, backend as tf.KernelBackend);
        owned.push(wrapped);
        tensors[name] = wrapped;
      }
    }
    const result = tf.tidy(() => body(tensors, attrs ?? {}));
    (backend as unknown as RefCountingBackend).incRef(result.dataId);
    const info: tf.TensorInfo = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
    result.dispose();
    for (const tensor of owned) tensor.dispose();
    return info;
  };
}
