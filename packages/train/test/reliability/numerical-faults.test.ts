// Numerical faults: a NaN loss (poisoned input) or an Inf/NaN gradient with a finite loss stops the step before
// any weight changes (compared bit-for-bit), the run stops with a message naming the step and the last good
// checkpoint, which stays intact and loadable; with onNonFinite 'skip' the batch is skipped and the rates lowered.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Regularizer } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint.js';
import type { TrainingComponents } from '../../src/loop-options.js';
import { readJsonLines, type TrainLogLine } from '../../src/run-logs.js';
import { runTraining } from '../../src/training-loop.js';
import { disposeComponents, tinyComponents, tinyRegularizer } from '../fixtures/tiny-components.js';

const quiet = { progress: 'none' as const, log: () => {} };
const counts = { faults: 0, checkpointsVerified: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  console.log(
    `numerical faults injected: ${counts.faults}, checkpoints verified intact: ${counts.checkpointsVerified}`,
  );
});

/** Every variable's bytes (network, regularizer), in a stable order. */
function weightBytes(components: TrainingComponents): Map<string, Buffer> {
  const bytes = new Map<string, Buffer>();
  const add = (prefix: string, variables: ReadonlyMap<string, tf.Variable>) => {
    for (const [name, variable] of variables) {
      const values = variable.dataSync() as Float32Array;
      bytes.set(
        `${prefix}${name}`,
        Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
      );
    }
  };
  add('network/', components.network.namedVariables());
  add('regularizer/', components.regularizer.namedVariables());
  return bytes;
}

function expectSameBytes(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, bytes] of expected) expect(actual.get(name)!.equals(bytes), name).toBe(true);
}

/** The tiny regularizer plus a trap variable at 0 whose sqrt makes the gradient infinite at `poisonStep` (loss stays 0). */
function gradientBomb(poisonStep: number): Regularizer {
  const inner = tinyRegularizer();
  const trap = tf.variable(tf.scalar(0), true);
  return {
    name: 'tiny-gradient-bomb',
    viewsNeeded: inner.viewsNeeded,
    variableGroups: () => [
      ...inner.variableGroups(),
      { name: 'trap', variables: [trap], learningRate: 0.01 },
    ],
    namedVariables: () => new Map([...inner.namedVariables(), ['trap', trap]]),
    loss(input) {
      const base = inner.loss(input);
      if (input.step !== poisonStep) return base;
      const bomb = tf.sqrt(trap) as tf.Scalar;
      return { loss: tf.add(base.loss, bomb) as tf.Scalar, parts: { ...base.parts, bomb } };
    },
    dispose() {
      inner.dispose();
      trap.dispose();
    },
  };
}

/** Checks the last checkpoint loads, verifies and holds exactly `expected` (weights at its step). */
function expectCheckpointHolds(outDir: string, step: number, expected: Map<string, Buffer>): void {
  const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
  expect(loaded).toBeDefined();
  try {
    expect(loaded!.state.step).toBe(step);
    for (const [name, bytes] of expected) {
      const values = loaded!.tensors.get(name)!.dataSync() as Float32Array;
      expect(Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(bytes), name).toBe(true);
    }
    counts.checkpointsVerified += 1;
  } finally {
    tf.dispose([...loaded!.tensors.values()]);
  }
}

describe('non-finite loss or gradient', () => {
  for (const fault of ['NaN loss (poisoned input)', 'Inf gradient with a finite loss'] as const) {
    it(`${fault}: stops before the weights change; the last good checkpoint stays intact`, async () => {
      const poisonStep = 5;
      const outDir = mkdtempSync(join(tmpdir(), 'nonfinite-'));
      const components =
        fault === 'NaN loss (poisoned input)'
          ? tinyComponents({ poisonStep })
          : tinyComponents({ regularizer: gradientBomb(poisonStep) });
      const snapshots = new Map<number, Map<string, Buffer>>();
      const tensorsBefore = tf.memory().numTensors;
      const result = await runTraining(components, {
        outDir,
        epochs: 3,
        checkpointEverySteps: 2,
        optimizer: { kind: 'adam', learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
        ...quiet,
        onStep: (step) => snapshots.set(step, weightBytes(components)),
      });
      counts.faults += 1;
      expect(result.stopReason).toBe('non-finite');
      expect(result.step).toBe(poisonStep);
      const what = fault === 'NaN loss (poisoned input)' ? 'loss NaN' : 'gradient norm (Infinity|NaN)';
      expect(result.message).toMatch(
        new RegExp(`non-finite ${what} at step ${poisonStep} .*stopped before updating the weights`),
      );
      expect(result.message).toContain(join(outDir, 'checkpoints', 'last'));
      // It says where: the NaN input poisons the supervised loss and every network gradient; the bomb only its trap.
      if (fault === 'NaN loss (poisoned input)') {
        expect(result.message).toMatch(
          /, in parts supervised, supervised\/\w+.*; gradients of group 'network' \(\d+ variables: /,
        );
      } else {
        expect(result.message).toMatch(/, in gradients of group 'trap' \(1 variable: [^,;]+\); stopped/);
      }
      // Bit-for-bit: the weights after the failed step are those before it.
      expectSameBytes(weightBytes(components), snapshots.get(poisonStep)!);
      // The last checkpoint (step 4, written every 2 steps) is intact and holds the step-4 weights.
      expectCheckpointHolds(outDir, 4, snapshots.get(4)!);
      // Steps before the fault did change the weights (the comparison above is not vacuous).
      expect(
        weightBytes(components).get('network/shared')!.equals(snapshots.get(1)!.get('network/shared')!),
      ).toBe(false);
      const logged = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl'));
      expect(logged.every((line) => Number.isFinite(line.loss))).toBe(true);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      disposeComponents(components);
    });
  }

  it("with onNonFinite 'skip': skips the batch without touching the weights, halves the rates, and continues", async () => {
    const poisonStep = 2;
    const outDir = mkdtempSync(join(tmpdir(), 'nonfinite-skip-'));
    const components = tinyComponents({ regularizer: gradientBomb(poisonStep) });
    const snapshots = new Map<number, Map<string, Buffer>>();
    const lines: string[] = [];
    const result = await runTraining(components, {
      outDir,
      maxSteps: 6,
      onNonFinite: 'skip',
      nonFiniteLearningRateFactor: 0.5,
      optimizer: { kind: 'adam', learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
      progress: 'none',
      log: (line) => lines.push(line),
      onStep: (step) => snapshots.set(step, weightBytes(components)),
    });
    counts.faults += 1;
    expect(result.stopReason).toBe('completed');
    expect(result.step).toBe(6);
    expect(result.skippedBatches).toBe(1);
    expect(lines.join('\n')).toMatch(
      /non-finite gradient norm (Infinity|NaN) at step 2: batch skipped, learning rates ×0\.5 \(in gradients of group 'trap' \(1 variable: [^,;]+\)\)/,
    );
    expectSameBytes(snapshots.get(poisonStep + 1)!, snapshots.get(poisonStep)!);
    const logged = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl'));
    const before = logged.find((line) => line.step === poisonStep)!;
    const after = logged.find((line) => line.step === poisonStep + 2)!;
    expect(logged.some((line) => line.step === poisonStep + 1)).toBe(false); // the skipped step logs no loss line
    expect(after.learningRates.network).toBeCloseTo(before.learningRates.network! * 0.5, 12);
    expect(after.learningRates.consistency).toBeCloseTo(before.learningRates.consistency! * 0.5, 12);
    expectCheckpointHolds(outDir, 6, snapshots.get(6)!);
    disposeComponents(components);
  });
});
