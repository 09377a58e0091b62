// A long run on the tiny components: 1,050 steps with evaluations and checkpoints along the way. The tensor count
// must be exactly the same after every step (from the second on: the first creates the optimizer's slots) and the
// JS heap, measured after a forced full GC, must not grow beyond a small tolerance between the early and late steps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/training-loop.js';
import { disposeComponents, tinyComponents } from '../fixtures/tiny-components.js';

const steps = 1050;
const heapTolerance = 2 * 1024 * 1024;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A full garbage collection (exposes V8's gc function to this process on first use). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe(`a ${steps}-step run`, () => {
  it('keeps the tensor count exactly flat and the heap flat within 2 MiB', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'long-run-'));
    const components = tinyComponents();
    const before = tf.memory().numTensors;
    const tensorCounts: number[] = [];
    const heap = new Map<number, number>();
    const sampleAt = new Set([150, 200, 250, 300, 350, 850, 900, 950, 1000, 1050]);
    const result = await runTraining(components, {
      outDir,
      maxSteps: steps,
      evaluateEvery: { unit: 'step', every: 100 },
      checkpointEverySteps: 150,
      logEverySteps: 10,
      optimizer: { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
      progress: 'none',
      log: () => {},
      onStep: (step) => {
        tensorCounts.push(tf.memory().numTensors);
        if (sampleAt.has(step)) {
          collectGarbage();
          heap.set(step, process.memoryUsage().heapUsed);
        }
      },
    });
    expect(result.step).toBe(steps);
    expect(tensorCounts).toHaveLength(steps);
    const steady = tensorCounts[1]!;
    expect(tensorCounts.slice(1).every((count) => count === steady)).toBe(true);
    const early = median([150, 200, 250, 300, 350].map((step) => heap.get(step)!));
    const late = median([850, 900, 950, 1000, 1050].map((step) => heap.get(step)!));
    console.log(
      `long run: ${steps} steps, ${steady} tensors after every step, heap early ${(early / 1048576).toFixed(2)} MiB, late ${(late / 1048576).toFixed(2)} MiB`,
    );
    expect(late - early).toBeLessThan(heapTolerance);
    expect(tf.memory().numTensors).toBe(before); // the optimizers' slots are freed with the run
    disposeComponents(components);
  }, 60_000);
});
