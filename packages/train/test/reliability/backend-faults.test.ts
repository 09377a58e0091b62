// A backend that fails mid-run: the cpu backend's Conv2D kernel is replaced by one that throws after N calls (as a
// GPU that loses its device would). The run must end with the backend's message (not hang, not write garbage), and
// the last good checkpoint stays intact, loadable, and resumable on a working backend.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint.js';
import { runTraining } from '../../src/training-loop.js';
import { disposeComponents, tinyComponents } from '../fixtures/tiny-components.js';

const kernelName = 'Conv2D';
let restore: (() => void) | undefined;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

/** Replaces the cpu Conv2D kernel by one that throws from its 3rd call after `arm()`; `undo` restores it. */
function breakableConv2d(): { arm(): void; undo(): void } {
  const original = tf.getKernel(kernelName, 'cpu');
  if (!original) throw new Error('cpu backend has no Conv2D kernel');
  let armedCalls: number | undefined;
  tf.unregisterKernel(kernelName, 'cpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (params) => {
      if (armedCalls !== undefined && ++armedCalls > 2)
        throw new Error('simulated device failure: CUDA_ERROR_LAUNCH_FAILED in Conv2D');
      return original.kernelFunc(params);
    },
  });
  return {
    arm: () => (armedCalls = 0),
    undo: () => {
      tf.unregisterKernel(kernelName, 'cpu');
      tf.registerKernel(original);
    },
  };
}

describe('a backend that fails mid-run', () => {
  it('ends the run with the backend error; the last good checkpoint loads and the run resumes from it', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'backend-fault-'));
    const components = tinyComponents();
    let lastStep = 0;
    const checkpointWeights = new Map<number, number[]>();
    const kernel = breakableConv2d();
    restore = kernel.undo;
    await expect(
      runTraining(components, {
        outDir,
        maxSteps: 40,
        checkpointEverySteps: 2,
        evaluateEvery: { unit: 'step', every: 1000 },
        progress: 'none',
        log: () => {},
        onStep: (step) => {
          lastStep = step;
          if (step === 6) kernel.arm(); // step 7 fails in its third convolution (mid forward pass)
          if (step % 2 === 0)
            checkpointWeights.set(step, [...components.network.namedVariables().get('shared')!.dataSync()]);
        },
      }),
    ).rejects.toThrow(
      new RegExp(
        `^training stopped in step 7 \\(epoch 1\\): simulated device failure: CUDA_ERROR_LAUNCH_FAILED in Conv2D\\n` +
          `The last good checkpoint, ${join(outDir, 'checkpoints', 'last').replace(/[/.]/g, '\\$&')}, is intact .*--backend cpu`,
      ),
    );
    kernel.undo();
    restore = undefined;
    expect(lastStep).toBe(6);
    const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
    expect(loaded?.state.step).toBe(6);
    expect([...loaded!.tensors.get('network/shared')!.dataSync()]).toEqual(checkpointWeights.get(6));
    tf.dispose([...loaded!.tensors.values()]);
    // The documented fallback: rerun with another backend (here the repaired cpu one) and --resume.
    const resumed = await runTraining(components, {
      outDir,
      resume: true,
      maxSteps: 8,
      evaluateEvery: { unit: 'step', every: 1000 },
      progress: 'none',
      log: () => {},
    });
    expect(resumed.step).toBe(8);
    disposeComponents(components);
    console.log('backend faults: 1 mid-run kernel failure injected, 1 checkpoint verified intact');
  });
});
