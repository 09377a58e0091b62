// Input handling shared by every streaming metric: a tensor from any backend (read once with `dataSync`, no tensor
// is created, so nothing can leak) or a plain typed / number array, optionally as `{ data, shape }`. Also the
// layout and value checks that turn bad input into errors naming the metric, the field and what was expected.
import type * as tf from '@tensorflow/tfjs';

/** Host arrays accepted in place of a tensor. */
export type NumericArray = Float32Array | Float64Array | Int32Array | Uint8Array | readonly number[];

/** A host array with its shape, e.g. core's `DenseArray`. */
export interface ShapedArray {
  readonly data: NumericArray;
  readonly shape: readonly number[];
}

/** What `update` accepts for predictions, labels and sample masks. */
export type MetricInput = tf.Tensor | NumericArray | ShapedArray;

/** An input read to the host: its values and, when known, its shape. */
export interface HostArray {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[] | undefined;
}

function isTensor(input: unknown): input is tf.Tensor {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as tf.Tensor).dataSync === 'function' &&
    Array.isArray((input as tf.Tensor).shape)
  );
}

function productOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Reads an input to the host with one `dataSync` for a tensor; host arrays are used in place. */
export function readInput(input: MetricInput, metric: string, field: string): HostArray {
  if (isTensor(input)) {
    if (input.isDisposed) throw new Error(`${metric}: ${field} is a disposed tensor`);
    return { values: input.dataSync(), shape: input.shape };
  }
  if (ArrayBuffer.isView(input) || Array.isArray(input)) {
    return { values: input as ArrayLike<number>, shape: undefined };
  }
  if (typeof input === 'object' && input !== null && 'data' in input && 'shape' in input) {
    const shaped = input as ShapedArray;
    if (productOf(shaped.shape) !== shaped.data.length) {
      throw new Error(
        `${metric}: ${field} has ${shaped.data.length} values but shape [${shaped.shape.join(', ')}] ` +
          `needs ${productOf(shaped.shape)}`,
      );
    }
    return { values: shaped.data, shape: shaped.shape };
  }
  throw new Error(
    `${metric}: ${field} must be a tf.Tensor, a typed array, a number array or { data, shape }`,
  );
}

/** Throws if any value is NaN or infinite. */
export function assertFinite(values: ArrayLike<number>, metric: string, field: string): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isFinite(value)) {
      throw new Error(
        `${metric}: ${field} contains ${value} at flat index ${index}; expected finite numbers`,
      );
    }
  }
}

/** How the elements (pixels or samples) of one update map to samples. */
export interface Layout {
  /** Pixels for dense tasks, samples for classification. */
  readonly elementCount: number;
  readonly sampleCount: number;
  readonly elementsPerSample: number;
  /** `labelled[b]` is false for samples the sample mask excludes. */
  readonly labelled: readonly boolean[];
}

function describeShape(host: HostArray): string {
  return host.shape ? `shape [${host.shape.join(', ')}]` : `${host.values.length} values`;
}

function elementsOf(host: HostArray, channels: number, metric: string, field: string): number {
  const lastDimension = host.shape?.[host.shape.length - 1];
  if (channels !== 1 && host.shape !== undefined && lastDimension !== channels) {
    throw new Error(
      `${metric}: ${field} has shape [${host.shape.join(', ')}]; expected ${channels} channels in the last dimension`,
    );
  }
  if (host.values.length % channels !== 0) {
    throw new Error(
      `${metric}: ${field} has ${host.values.length} values, not a multiple of ${channels} channel(s)`,
    );
  }
  return host.values.length / channels;
}

/**
 * Checks that prediction and label describe the same elements and resolves the sample mask.
 * The batch size comes from the first dimension of a shaped input, else from the mask, else 1.
 */
export function resolveLayout(
  metric: string,
  prediction: HostArray,
  predictionChannels: number,
  label: HostArray,
  labelChannels: number,
  sampleMask: HostArray | undefined,
): Layout {
  const predictionElements = elementsOf(prediction, predictionChannels, metric, 'prediction');
  const labelElements = elementsOf(label, labelChannels, metric, 'label');
  if (predictionElements !== labelElements) {
    throw new Error(
      `${metric}: prediction (${describeShape(prediction)}, ${predictionChannels} channel(s)) and label ` +
        `(${describeShape(label)}, ${labelChannels} channel(s)) describe ${predictionElements} and ` +
        `${labelElements} elements; expected the same`,
    );
  }
  const predictionBatch = prediction.shape?.[0];
  const labelBatch = label.shape?.[0];
  if (predictionBatch !== undefined && labelBatch !== undefined && predictionBatch !== labelBatch) {
    throw new Error(`${metric}: prediction batch ${predictionBatch} and label batch ${labelBatch} differ`);
  }
  const shapedBatch = predictionBatch ?? labelBatch;
  let sampleCount = shapedBatch ?? sampleMask?.values.length ?? 1;
  if (predictionElements === 0 && shapedBatch === undefined && sampleMask === undefined) sampleCount = 0;
  if (sampleMask !== undefined && sampleMask.values.length !== sampleCount) {
    throw new Error(
      `${metric}: sampleMask has ${sampleMask.values.length} entries; expected one per sample (${sampleCount})`,
    );
  }
  if (sampleCount > 0 && predictionElements % sampleCount !== 0) {
    throw new Error(`${metric}: ${predictionElements} elements cannot be split into ${sampleCount} samples`);
  }
  const labelled: boolean[] = [];
  for (let sample = 0; sample < sampleCount; sample++) {
    const maskValue = sampleMask === undefined ? 1 : sampleMask.values[sample]!;
    if (Number.isNaN(maskValue)) throw new Error(`${metric}: sampleMask[${sample}] is NaN; expected 0 or 1`);
    labelled.push(maskValue > 0);
  }
  return {
    elementCount: predictionElements,
    sampleCount,
    elementsPerSample: sampleCount > 0 ? predictionElements / sampleCount : 0,
    labelled,
  };
}

/** Reads prediction, label and optional mask, checks them and returns their values with the layout. */
export function readUpdate(
  metric: string,
  prediction: MetricInput,
  predictionChannels: number,
  label: MetricInput,
  labelChannels: number,
  sampleMask: MetricInput | undefined,
): { prediction: ArrayLike<number>; label: ArrayLike<number>; layout: Layout } {
  const predictionHost = readInput(prediction, metric, 'prediction');
  const labelHost = readInput(label, metric, 'label');
  const maskHost = sampleMask === undefined ? undefined : readInput(sampleMask, metric, 'sampleMask');
  const layout = resolveLayout(
    metric,
    predictionHost,
    predictionChannels,
    labelHost,
    labelChannels,
    maskHost,
  );
  assertFinite(predictionHost.values, metric, 'prediction');
  return { prediction: predictionHost.values, label: labelHost.values, layout };
}
