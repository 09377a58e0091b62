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
  const read = async (index: number): Promise<Sample> => {
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
  };
  // The source stays the prototype (its own fields, e.g. a loader's entries, remain visible); the worker-pool
  // descriptor is hidden, so samples are read here, where they are validated.
  return Object.create(source, {
    read: { value: read, enumerable: true },
    descriptor: { value: undefined, enumerable: false },
    skippedCount: { value: () => skipped.size, enumerable: true },
    skippedIndices: { value: () => [...skipped].sort((a, b) => a - b), enumerable: true },
  }) as ValidatedSource;
}

/** What a run config says about sample validation (`data.onInvalidSample`, `data.workers`). */
export interface SampleGuardOptions {
  /** 'error' or 'skip'; absent = 'error' when samples load on the main thread (workers 0), else no validation. */
  readonly onInvalidSample?: 'error' | 'skip' | undefined;
  readonly workers: number;
}

/**
 * Wraps a run's training and validation sources with validation as the config asks. Validation runs where samples
 * are read on the main thread; setting `onInvalidSample` explicitly with workers > 0 validates there too (the
 * samples then load on the main thread, said once in the log).
 */
export function guardSources<T extends { train: SampleSource; validation: SampleSource }>(
  sources: T,
  datasetName: string,
  options: SampleGuardOptions,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): T {
  const mode = options.onInvalidSample ?? (options.workers === 0 ? 'error' : undefined);
  if (mode === undefined) return sources;
  if (options.workers > 0)
    log(
      `data.onInvalidSample: ${mode}: samples are validated and loaded on the main thread (data.workers ignored)`,
    );
  return {
    ...sources,
    train: validatedSource(sources.train, { name: `${datasetName} train`, onInvalid: mode, log }),
    validation: validatedSource(sources.validation, {
      name: `${datasetName} validation`,
      onInvalid: mode,
      log,
    }),
  };
}
