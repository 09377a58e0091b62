// Kernel 'PartialMtlAdamUpdate' for the wasm and cpu backends: one Adam step of one variable in a single pass
// (Kingma & Ba, "Adam", arXiv 1412.6980, with TensorFlow.js's bias correction and ε placement, adam_optimizer.ts).
// The stock optimizer runs ~12 element-wise kernels per variable (~1,400 per SegNet step); this runs one.
import type * as tf from '@tensorflow/tfjs';

export const adamUpdateKernelName = 'PartialMtlAdamUpdate';

export interface AdamUpdateAttributes {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly learningRate: number;
  /** 1 − β1^t and 1 − β2^t for this step. */
  readonly firstCorrection: number;
  readonly secondCorrection: number;
}

/** value ← value − lr·m̂/(√v̂ + ε), m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², written to the three targets. */
export function adamUpdateValues(
  value: Float32Array,
  gradient: Float32Array,
  firstMoment: Float32Array,
  secondMoment: Float32Array,
  targets: readonly [Float32Array, Float32Array, Float32Array],
  attributes: AdamUpdateAttributes,
): void {
  const { beta1, beta2, epsilon, learningRate, firstCorrection, secondCorrection } = attributes;
  const [newValue, newFirst, newSecond] = targets;
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  for (let i = 0; i < value.length; i++) {
    const g = gradient[i]!;
    const m = beta1 * firstMoment[i]! + oneMinusBeta1 * g;
    const v = beta2 * secondMoment[i]! + oneMinusBeta2 * g * g;
    newFirst[i] = m;
    newSecond[i] = v;
    newValue[i] =
      value[i]! - (learningRate * (m / firstCorrection)) / (Math.sqrt(v / secondCorrection) + epsilon);
  }
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

function inputsOf(
  inputs: tf.NamedTensorInfoMap,
): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  return [inputs.value!, inputs.gradient!, inputs.firstMoment!, inputs.secondMoment!];
}

const adamUpdateWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const infos = inputsOf(inputs);
  const shape = infos[0].shape;
  const outputs = [
    wasm.makeOutput(shape, 'float32'),
    wasm.makeOutput(shape, 'float32'),
    wasm.makeOutput(shape, 'float32'),
  ];
  // Views are taken after every allocation: an allocation may grow (and so move) the heap.
  const [value, gradient, first, second] = infos.map((info) => wasm.typedArrayFromHeap(info)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const targets = outputs.map((info) => wasm.typedArrayFromHeap(info)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  adamUpdateValues(value, gradient, first, second, targets, attrs as unknown as AdamUpdateAttributes);
  return outputs;
};

const adamUpdateCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackendLike;
  const infos = inputsOf(inputs);
  const [value, gradient, first, second] = infos.map(
    (info) => cpu.data.get(info.dataId).values as Float32Array,
  ) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const targets: [Float32Array, Float32Array, Float32Array] = [
    new Float32Array(value.length),
    new Float32Array(value.length),
    new Float32Array(value.length),
  ];
  adamUpdateValues(value, gradient, first, second, targets, attrs as unknown as AdamUpdateAttributes);
  return targets.map((values) => cpu.makeTensorInfo(infos[0].shape, 'float32', values));
};

export const adamUpdateKernels: readonly tf.KernelConfig[] = [
  { kernelName: adamUpdateKernelName, backendName: 'wasm', kernelFunc: adamUpdateWasm },
  { kernelName: adamUpdateKernelName, backendName: 'cpu', kernelFunc: adamUpdateCpu },
];
