// A SampleSource wrapper that validates every sample as it is read (datasets' findSampleProblem: non-finite
// pixels or labels, class ids out of range, shapes that do not fit the image). 'error' (default) throws naming the
// source, sample, field and expectation; 'skip' (opt-in) blanks the sample (zero image, no labels, so it adds no
// supervised loss), counts it and logs one line per skipped sample. Wrapped sources load on the main thread.
import type { Sample, SampleSource } from '@partial-mtl/core';
import { findSampleProblem, InvalidSampleError } from '@partial-mtl/datasets';

export interface ValidatedSourceOptions {
  /** Names the data set in messages, e.g. 'nyuv2 train'. */
  readonly name: string;
  /** 'error' (default) or 'skip'. */
  readonly onInvalid?: 'error' | 'skip';
  /** Receives one line per skipped sample. */
  readonly log?: (line: string) => void;
}

export interface ValidatedSource extends SampleSource {
  /** Distinct samples skipped so far (always 0 with onInvalid 'error'). */
  skippedCount(): number;
  /** Indices of the skipped samples, ascending. */
  skippedIndices(): number[];
}

/** Wraps `source` so that every `read` is validated against the source's tasks. */
export function validatedSource(source: SampleSource, options: ValidatedSourceOptions): ValidatedSource {
  const skipped = new Set<number>();
  const onInvalid = options.onInvalid ?? 'error';
  return {
    tasks: source.tasks,
    length: source.length,
    async read(index: number): Promise<Sample> {
      const sample = await source.read(index);
      const found = findSampleProblem(sample, source.tasks);
      if (!found) return sample;
      const text = `${options.name}, sample ${sample.index}: ${found.field} ${found.problem}`;
      if (onInvalid === 'error') {
        throw new InvalidSampleError(
          `${text} (set data.onInvalidSample: skip to skip such samples)`,
          sample.index,
          found.field,
        );
      }
      if (!skipped.has(sample.index)) {
        skipped.add(sample.index);
        options.log?.(`skipped ${text}; ${skipped.size} sample(s) skipped so far`);
      }
      const shape = sample.image.shape.length === 3 ? sample.image.shape : [1, 1, 3];
      const size = shape.reduce((product, value) => product * value, 1);
      return { index: sample.index, image: { data: new Float32Array(size), shape }, labels: {} };
    },
    skippedCount: () => skipped.size,
    skippedIndices: () => [...skipped].sort((a, b) => a - b),
  };
}
