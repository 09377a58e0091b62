// Sample validation: catches bad data before it reaches a training step — non-finite pixels or labels, class ids
// out of range, label shapes that do not fit the image — and names the data set, the sample and the task. With
// `onInvalid: 'skip'` a bad sample is counted and dropped instead (opt-in); never a silent wrong result.
import { isDenseTask, type Sample, type TaskSpec } from '@partial-mtl/core';

export interface SampleValidationOptions {
  /** Name of the data set or file, for messages. */
  readonly source?: string;
  /** 'error' (default) throws; 'skip' returns the problem so the caller drops and counts the sample. */
  readonly onInvalid?: 'error' | 'skip';
}

export class InvalidSampleError extends Error {
  readonly sampleIndex: number;
  readonly field: string;
  constructor(message: string, sampleIndex: number, field: string) {
    super(message);
    this.name = 'InvalidSampleError';
    this.sampleIndex = sampleIndex;
    this.field = field;
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The first problem of a sample, or undefined when it is valid. */
export function findSampleProblem(
  sample: Sample,
  tasks: readonly TaskSpec[],
): { field: string; problem: string } | undefined {
  const image = sample.image;
  if (image.shape.length !== 3)
    return { field: 'image', problem: `expected shape [H, W, C], got [${image.shape}]` };
  if (image.data.length !== product(image.shape)) {
    return { field: 'image', problem: `has ${image.data.length} values for shape [${image.shape}]` };
  }
  for (let i = 0; i < image.data.length; i++) {
    if (!Number.isFinite(image.data[i]!))
      return { field: 'image', problem: `non-finite value at element ${i}` };
  }
  const [height, width] = image.shape as [number, number, number];
  for (const task of tasks) {
    const label = sample.labels[task.name];
    if (!label) continue;
    const field = `labels.${task.name}`;
    if (label.data.length !== product(label.shape)) {
      return { field, problem: `has ${label.data.length} values for shape [${label.shape}]` };
    }
    if (isDenseTask(task)) {
      const channels = task.kind === 'segmentation' ? 1 : task.channels;
      const expected = label.shape.length === 2 ? [height, width] : [height, width, channels];
      if (label.shape.length < 2 || expected.some((size, axis) => label.shape[axis] !== size)) {
        return {
          field,
          problem: `expected shape [${height}, ${width}, ${channels}] to match the image, got [${label.shape}]`,
        };
      }
    } else {
      const expectedLength = task.kind === 'multiclass' ? 1 : task.channels;
      if (label.data.length !== expectedLength) {
        return { field, problem: `expected ${expectedLength} values, got ${label.data.length}` };
      }
    }
    for (let i = 0; i < label.data.length; i++) {
      const value = label.data[i]!;
      if (!Number.isFinite(value)) return { field, problem: `non-finite value at element ${i}` };
      if (task.kind === 'segmentation' || task.kind === 'multiclass') {
        if (value !== -1 && !(Number.isInteger(value) && value >= 0 && value < task.channels)) {
          return {
            field,
            problem: `class id ${value} at element ${i} is outside 0..${task.channels - 1} (−1 = ignore)`,
          };
        }
      } else if (task.kind === 'multilabel' && value !== -1 && value !== 0 && value !== 1) {
        return { field, problem: `value ${value} at element ${i} is not 0, 1 or −1 (not annotated)` };
      }
    }
  }
  return undefined;
}

/**
 * Checks a sample. Returns true when valid; with `onInvalid: 'skip'` returns false for an invalid sample;
 * otherwise throws an `InvalidSampleError` naming the source, the sample, the field and the expectation.
 */
export function validateSample(
  sample: Sample,
  tasks: readonly TaskSpec[],
  options: SampleValidationOptions = {},
): boolean {
  const found = findSampleProblem(sample, tasks);
  if (!found) return true;
  if (options.onInvalid === 'skip') return false;
  const where = options.source ? `${options.source}, sample ${sample.index}` : `sample ${sample.index}`;
  throw new InvalidSampleError(`${where}: ${found.field} ${found.problem}`, sample.index, found.field);
}
