import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint.js';
import { readJsonLines, type TrainLogLine } from '../src/run-logs.js';
import { runTraining } from '../src/training-loop.js';
import { disposeComponents, tinyComponents, variableValues } from './fixtures/tiny-components.js';

const quiet = { progress: 'none' as const, log: () => {} };
const temporary = () => mkdtempSync(join(tmpdir(), 'train-loop-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runTraining', () => {
  it('trains, logs loss parts and learning rates, and writes config, metrics and checkpoints', async () => {
    const outDir = temporary();
    const components = tinyComponents();
    const result = await runTraining(components, {
      outDir,
      epochs: 2,
      seed: 3,
      optimizer: { kind: 'adam', learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
      ...quiet,
    });
    expect(result.stopReason).toBe('completed');
    expect(result.step).toBe(8);
    const lines = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl'));
    expect(lines.map((line) => line.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Object.keys(lines[0]!.parts)).toEqual(
      expect.arrayContaining([
        'supervised',
        'supervised/semseg',
        'supervised/depth',
        'regularizer',
        'regularizer/consistency',
      ]),
    );
    expect(lines[0]!.learningRates).toEqual({ network: 0.05, consistency: 0.01 });
    const csv = readFileSync(join(outDir, 'train-log.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toContain('lr/network');
    expect(csv).toHaveLength(9);
    const metrics = readJsonLines<{ step: number; deltaM: number }>(join(outDir, 'metrics.jsonl'));
    expect(metrics.map((line) => line.step)).toEqual([4, 8]);
    expect(metrics[0]!.deltaM).toBe(0);
    expect(existsSync(join(outDir, 'config.json'))).toBe(true);
    expect(loadCheckpoint(join(outDir, 'checkpoints', 'last'))?.state.step).toBe(8);
    expect(loadCheckpoint(join(outDir, 'checkpoints', 'best'))).toBeDefined();
    expect(result.best).toBeDefined();
    disposeComponents(components);
  });

  it('is deterministic for a seed and resumes to the same final weights', async () => {
    const options = { epochs: 3, seed: 5, checkpointEverySteps: 2, ...quiet };
    const full = tinyComponents();
    await runTraining(full, { outDir: temporary(), ...options });
    const again = tinyComponents();
    await runTraining(again, { outDir: temporary(), ...options });
    expect(await variableValues(again)).toEqual(await variableValues(full));

    const outDir = temporary();
    const first = tinyComponents();
    const partial = await runTraining(first, { outDir, ...options, maxSteps: 5 });
    expect(partial.step).toBe(5);
    disposeComponents(first);
    const second = tinyComponents({ seed: 1 });
    const resumed = await runTraining(second, { outDir, ...options, resume: true });
    expect(resumed.step).toBe(12);
    expect(await variableValues(second)).toEqual(await variableValues(full));
    const steps = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl')).map((line) => line.step);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const components of [full, again, second]) disposeComponents(components);
  });

  it('stops on a non-finite loss before the weights change, keeping the last good checkpoint', async () => {
    const outDir = temporary();
    const components = tinyComponents({ poisonStep: 3 });
    const snapshot = () =>
      [...components.network.namedVariables().values()].flatMap((v) => [...v.dataSync()]);
    let afterStep3: number[] = [];
    const result = await runTraining(components, {
      outDir,
      epochs: 2,
      checkpointEverySteps: 2,
      ...quiet,
      onStep: (step) => {
        if (step === 3) afterStep3 = snapshot();
      },
    });
    expect(result.stopReason).toBe('non-finite');
    expect(result.message).toMatch(/non-finite loss NaN at step 3 .*stopped before updating the weights/);
    expect(result.step).toBe(3);
    expect(afterStep3.length).toBeGreaterThan(0);
    expect(snapshot()).toEqual(afterStep3);
    const last = loadCheckpoint(join(outDir, 'checkpoints', 'last'))!;
    expect(last.state.step).toBe(2);
    last.tensors.forEach((tensor) => tensor.dispose());
    disposeComponents(components);
  });

  it('can skip a non-finite batch and lower the learning rates instead', async () => {
    const components = tinyComponents({ poisonStep: 1 });
    const outDir = temporary();
    const result = await runTraining(components, {
      outDir,
      epochs: 1,
      onNonFinite: 'skip',
      nonFiniteLearningRateFactor: 0.5,
      ...quiet,
    });
    expect(result.stopReason).toBe('completed');
    expect(result.skippedBatches).toBe(1);
    const lines = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl'));
    expect(lines.map((line) => line.step)).toEqual([1, 3, 4]);
    expect(lines[1]!.learningRates.network).toBeCloseTo(0.5e-4);
    disposeComponents(components);
  });

  it('applies step schedules per group and clips the global gradient norm', async () => {
    const outDir = temporary();
    const components = tinyComponents();
    const start = await variableValues(components);
    await runTraining(components, {
      outDir,
      maxSteps: 1,
      gradientClipNorm: 1e-3,
      optimizer: { kind: 'sgd', learningRate: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0 },
      ...quiet,
    });
    const end = await variableValues(components);
    const change = Math.sqrt(end.reduce((sum, value, index) => sum + (value - start[index]!) ** 2, 0));
    // network lr 1 and clip 1e-3 bound the network change; the regularizer group's lr is 0.01.
    expect(change).toBeLessThanOrEqual(1.0001e-3);
    expect(change).toBeGreaterThan(0);
    disposeComponents(components);

    const scheduled = tinyComponents();
    const scheduledDir = temporary();
    await runTraining(scheduled, {
      outDir: scheduledDir,
      epochs: 3,
      schedule: { kind: 'step', stepSize: 1, gamma: 0.5, patience: 1, factor: 1, minLearningRate: 0 },
      ...quiet,
    });
    const rates = readJsonLines<TrainLogLine>(join(scheduledDir, 'train-log.jsonl')).map(
      (line) => line.learningRates.network,
    );
    expect(rates[0]).toBeCloseTo(1e-4);
    expect(rates[4]).toBeCloseTo(0.5e-4);
    expect(rates[8]).toBeCloseTo(0.25e-4);
    disposeComponents(scheduled);
  });

  it('stops early and restores the best weights; plateau lowers the rates', async () => {
    const outDir = temporary();
    const base = tinyComponents();
    let evaluations = 0;
    let bestWeights: number[] = [];
    const components = {
      ...base,
      deltaM: () => {
        evaluations += 1;
        return evaluations === 1 ? 1 : -evaluations;
      },
    };
    const result = await runTraining(components, {
      outDir,
      epochs: 10,
      earlyStoppingPatience: 2,
      schedule: { kind: 'plateau', stepSize: 1, gamma: 1, patience: 1, factor: 0.5, minLearningRate: 0 },
      ...quiet,
      onStep: (step) => {
        if (step === 4) void variableValues(base).then((values) => (bestWeights = values));
      },
    });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.step).toBe(12);
    expect(result.best?.step).toBe(4);
    expect(await variableValues(base)).toEqual(bestWeights);
    const rates = readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl')).map(
      (line) => line.learningRates.network,
    );
    expect(rates[11]).toBeCloseTo(0.5e-4);
    disposeComponents(base);
  });

  it('keeps the tensor count flat across steps', async () => {
    const components = tinyComponents();
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await runTraining(components, {
      outDir: temporary(),
      maxSteps: 120,
      evaluateEvery: { unit: 'step', every: 40 },
      ...quiet,
      onStep: () => counts.push(tf.memory().numTensors),
    });
    expect(counts).toHaveLength(120);
    expect(Math.max(...counts.slice(5))).toBe(Math.min(...counts.slice(5)));
    expect(tf.memory().numTensors).toBe(before);
    disposeComponents(components);
  });

  it('never loads a torn checkpoint', async () => {
    const outDir = temporary();
    const components = tinyComponents();
    await runTraining(components, { outDir, maxSteps: 2, ...quiet });
    const last = join(outDir, 'checkpoints', 'last');
    const version = readdirSync(last).find((name) => name.startsWith('v'))!;
    writeFileSync(join(last, `.tmp-v000000009-crash`), 'partial');
    expect(loadCheckpoint(last)?.state.step).toBe(2);
    const file = join(last, version, 'tensors.bin');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    expect(() => loadCheckpoint(last)).toThrow(/tensors\.bin is torn or corrupt/);
    disposeComponents(components);
  });

  it('stops at the wall-time limit with a checkpoint to resume from', async () => {
    const outDir = temporary();
    const components = tinyComponents();
    const result = await runTraining(components, { outDir, epochs: 5, maxWallSeconds: 1e-6, ...quiet });
    expect(result.stopReason).toBe('max-wall-time');
    expect(result.step).toBe(1);
    expect(result.message).toMatch(
      /max wall time .*reached after step 1; checkpoint written \(continue with --resume/,
    );
    expect(loadCheckpoint(join(outDir, 'checkpoints', 'last'))?.state.step).toBe(1);
    disposeComponents(components);
  });
});
