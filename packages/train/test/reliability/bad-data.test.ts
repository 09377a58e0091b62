// Bad samples on the training path and a task without labelled samples. validatedSource (src/reliability) stops
// at the first bad sample naming the source, sample, field and expectation, or (opt-in 'skip') blanks it, counts
// it and logs it; through the batch loader a skipped sample is in no task's mask. A split in which one task has no
// labelled sample trains: that task's loss is exactly 0 and its head keeps its initial weights (decision, README).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeBatch, type Sample, type SampleSource } from '@partial-mtl/core';
import {
  createBatchLoader,
  createSyntheticAffect,
  createSyntheticScenes,
  InvalidSampleError,
} from '@partial-mtl/datasets';
import { createMultiTaskNetwork } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint.js';
import { guardSources, validatedSource } from '../../src/reliability/validated-source.js';
import { readJsonLines, type TrainLogLine } from '../../src/run-logs.js';
import { train } from '../../src/train.js';

const counts = { badInputs: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Corruption = (sample: Sample) => Sample;

const corruptions: Record<string, { corrupt: Corruption; message: RegExp }> = {
  'NaN pixel': {
    corrupt: (sample) => ({
      ...sample,
      image: {
        ...sample.image,
        data: Float32Array.from(sample.image.data, (v, i) => (i === 5 ? Number.NaN : v)),
      },
    }),
    message: /image non-finite value at element 5/,
  },
  'Inf depth label': {
    corrupt: (sample) => ({
      ...sample,
      labels: {
        ...sample.labels,
        depth: {
          ...sample.labels.depth!,
          data: Float32Array.from(sample.labels.depth!.data, (v, i) =>
            i === 2 ? Number.POSITIVE_INFINITY : v,
          ),
        },
      },
    }),
    message: /labels\.depth non-finite value at element 2/,
  },
  'class id out of range': {
    corrupt: (sample) => ({
      ...sample,
      labels: {
        ...sample.labels,
        semseg: {
          ...sample.labels.semseg!,
          data: Float32Array.from(sample.labels.semseg!.data, (v, i) => (i === 0 ? 99 : v)),
        },
      },
    }),
    message: /labels\.semseg class id 99 at element 0 is outside 0\.\.\d+ \(−1 = ignore\)/,
  },
  'label shape does not fit the image': {
    corrupt: (sample) => ({
      ...sample,
      labels: { ...sample.labels, depth: { data: new Float32Array(4 * 4), shape: [4, 4, 1] } },
    }),
    message: /labels\.depth expected shape \[8, 8, 1\] to match the image, got \[4,4,1\]/,
  },
  'image of the wrong rank': {
    corrupt: (sample) => ({
      ...sample,
      image: { data: sample.image.data, shape: [sample.image.data.length] },
    }),
    message: /image expected shape \[H, W, C\]/,
  },
};

/** Synthetic scenes (semseg, depth) where `bad` maps sample indices to a corruption. */
function corruptedScenes(bad: ReadonlyMap<number, Corruption>): SampleSource {
  const clean = createSyntheticScenes({
    height: 8,
    width: 8,
    count: 12,
    seed: 4,
    tasks: ['semseg', 'depth'] as never,
  });
  return {
    tasks: clean.tasks,
    length: clean.length,
    async read(index) {
      const sample = await clean.read(index);
      return bad.get(index)?.(sample) ?? sample;
    },
  };
}

describe('bad samples on the training path', () => {
  for (const [name, { corrupt, message }] of Object.entries(corruptions)) {
    it(`${name}: a clear error naming the source, sample and field`, async () => {
      const source = validatedSource(corruptedScenes(new Map([[7, corrupt]])), { name: 'scenes train' });
      await expect(source.read(6)).resolves.toBeDefined();
      const error = await source.read(7).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      counts.badInputs += 1;
      expect(error).toBeInstanceOf(InvalidSampleError);
      expect((error as Error).message).toMatch(/^scenes train, sample 7: /);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/set data\.onInvalidSample: skip/);
    });
  }

  it("with onInvalid 'skip': every bad sample is blanked, counted and logged once, and masked out of every task", async () => {
    const bad = new Map<number, Corruption>([
      [1, corruptions['NaN pixel']!.corrupt],
      [4, corruptions['class id out of range']!.corrupt],
      [9, corruptions['Inf depth label']!.corrupt],
    ]);
    const lines: string[] = [];
    const source = validatedSource(corruptedScenes(bad), {
      name: 'scenes train',
      onInvalid: 'skip',
      log: (line) => lines.push(line),
    });
    const loader = createBatchLoader({
      source,
      batchSize: 4,
      shuffle: false,
      views: 0,
      augment: false,
      seed: 1,
      dropLast: false,
      workers: 0,
    });
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 2; epoch++) {
      for await (const batch of loader) {
        const images = batch.images.arraySync();
        const mask = batch.labelMask.arraySync();
        batch.indices.forEach((index, row) => {
          if (bad.has(index)) {
            expect(mask[row]).toEqual([0, 0]);
            expect(images[row]!.flat(2).every((value) => value === 0)).toBe(true);
          } else {
            expect(mask[row]).toEqual([1, 1]);
          }
        });
        expect(images.flat(3).every(Number.isFinite)).toBe(true);
        disposeBatch(batch);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(source.skippedCount()).toBe(3);
    expect(source.skippedIndices()).toEqual([1, 4, 9]);
    expect(lines).toHaveLength(3); // once per sample, not once per epoch
    expect(lines[0]).toMatch(
      /^skipped scenes train, sample 1: image non-finite value at element 5; 1 sample\(s\) skipped so far$/,
    );
    expect(lines[2]).toMatch(/sample 9: labels\.depth non-finite .*; 3 sample\(s\) skipped so far/);
    counts.badInputs += 3;
  });
});

describe('a task with no labelled samples in the split', () => {
  it('trains with exactly zero loss for that task and leaves its head at its initial weights', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'empty-task-'));
    const affect = createSyntheticAffect({ size: 16, count: 24, seed: 1 });
    const taskNames = affect.tasks.map((task) => task.name);
    const emptyTask = taskNames[0]!;
    const table = join(directory, 'split.json');
    writeFileSync(
      table,
      JSON.stringify({
        taskNames,
        rows: Array.from({ length: 24 }, (_, row) => taskNames.map((_, t) => (t === 0 ? 0 : (row + t) % 2))),
      }),
    );
    const outDir = join(directory, 'run');
    const config = {
      seed: 3,
      outDir,
      dataset: { name: 'synthetic-affect', options: { size: 16, trainCount: 24, validationCount: 8 } },
      split: { table },
      model: { backbone: 'small-cnn', widthMultiplier: 0.25 },
      regularizer: { name: 'none' },
      optimizer: { learningRate: 0.01 },
      data: { batchSize: 4, augment: false },
      training: { maxSteps: 6, checkpointEverySteps: 3 },
    };
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    let result: Awaited<ReturnType<typeof train>>;
    try {
      result = await train(config, { progress: 'none', report: false, log: () => {} });
    } finally {
      spy.mockRestore();
    }
    // The run says once, at the start, that the task has no labels.
    expect(stderr.filter((line) => line.startsWith('warning: task'))).toEqual([
      `warning: task '${emptyTask}' has no labelled sample in the training split (0 of 24 rows): its supervised loss is 0 and its head keeps its initial weights. Check the split table if this is not intended.\n`,
    ]);
    expect(result.stopReason).toBe('completed');
    const lines = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl'));
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      expect(line.parts[`supervised/${emptyTask}`]).toBe(0);
      expect(Number.isFinite(line.loss)).toBe(true);
      for (const other of taskNames.slice(1)) expect(line.parts[`supervised/${other}`]).toBeGreaterThan(0);
    }
    // The empty task's head is bit-for-bit the freshly initialised one; the shared weights did train.
    const fresh = createMultiTaskNetwork({
      backbone: 'small-cnn',
      tasks: result.tasks,
      widthMultiplier: 0.25,
      seed: 3,
      backboneOptions: {},
    });
    const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'))!;
    let headVariables = 0;
    let changedShared = 0;
    for (const [name, variable] of fresh.namedVariables()) {
      const saved = loaded.tensors.get(`network/${name}`)!;
      const same = Buffer.from((saved.dataSync() as Float32Array).buffer).equals(
        Buffer.from((variable.dataSync() as Float32Array).buffer),
      );
      if (name.includes(emptyTask)) {
        headVariables += 1;
        expect(same, name).toBe(true);
      } else if (!same) changedShared += 1;
    }
    expect(headVariables).toBeGreaterThan(0);
    expect(changedShared).toBeGreaterThan(0);
    tf.dispose([...loaded.tensors.values()]);
    fresh.dispose();
    console.log(
      `bad data (train path): ${counts.badInputs} bad samples tried; empty task '${emptyTask}': loss 0 in ${lines.length} steps, ${headVariables} head variables unchanged`,
    );
  }, 60_000);
});

describe('guardSources (the run-config switch)', () => {
  it("validates by default on the main thread, not with workers unless asked, and 'skip' on request", async () => {
    const bad = new Map<number, Corruption>([[2, corruptions['NaN pixel']!.corrupt]]);
    const sources = () => ({ train: corruptedScenes(bad), validation: corruptedScenes(new Map()), extra: 1 });
    const byDefault = guardSources(sources(), 'scenes', { workers: 0 });
    expect(byDefault.extra).toBe(1);
    await expect(byDefault.train.read(2)).rejects.toThrow(
      /^scenes train, sample 2: image non-finite value at element 5/,
    );
    const withWorkers = sources();
    expect(guardSources(withWorkers, 'scenes', { workers: 2 })).toBe(withWorkers);
    const lines: string[] = [];
    const skipping = guardSources(sources(), 'scenes', { workers: 2, onInvalidSample: 'skip' }, (line) =>
      lines.push(line),
    );
    expect((await skipping.train.read(2)).labels).toEqual({});
    expect(lines).toEqual([
      'data.onInvalidSample: skip: samples are validated and loaded on the main thread (data.workers ignored)',
      'skipped scenes train, sample 2: image non-finite value at element 5; 1 sample(s) skipped so far',
    ]);
    counts.badInputs += 2;
  });
});

describe('validatedSource keeps the wrapped source usable', () => {
  it("keeps the source's own fields and hides its worker descriptor", async () => {
    const clean = createSyntheticScenes({
      height: 8,
      width: 8,
      count: 4,
      seed: 4,
      tasks: ['semseg'] as never,
    });
    const described = Object.assign(Object.create(clean) as SampleSource, {
      entries: ['a', 'b'],
      descriptor: { kind: 'synthetic-scenes', options: {} },
    });
    const wrapped = validatedSource(described, { name: 'scenes' }) as SampleSource & {
      entries?: string[];
      descriptor?: unknown;
    };
    expect(wrapped.entries).toEqual(['a', 'b']);
    expect(wrapped.descriptor).toBeUndefined();
    expect(wrapped.length).toBe(4);
    expect(wrapped.tasks.map((task) => task.name)).toEqual(['semseg']);
    expect((await wrapped.read(1)).index).toBe(1);
  });
});
