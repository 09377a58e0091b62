// SIGINT and SIGTERM in a real child process: the loop finishes the current step, writes a checkpoint holding
// exactly the weights at that step, and the process exits 0; a resumed run continues from that step. And a console
// that goes away (the reading end of stdout and stderr closed) does not end a CLI training run.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint.js';
import { runTraining } from '../../src/training-loop.js';
import { writeTinyCliConfig } from '../fixtures/tiny-cli-config.js';
import { disposeComponents, tinyComponents } from '../fixtures/tiny-components.js';
import { bundleChild, killAllChildren, startChild } from './child-process.js';

let trainer = '';
let cli = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
  trainer = bundleChild('test/reliability/children/signal-trainer.ts', 'signal-trainer', {
    allPackagesExternal: true,
  });
  cli = bundleChild('src/cli.ts', 'signal-cli', { allPackagesExternal: true });
});
afterAll(() => {
  killAllChildren();
  rmSync(trainer, { force: true });
  rmSync(cli, { force: true });
});

function checkpointNetworkHash(outDir: string): { step: number; hash: string } {
  const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
  if (!loaded) throw new Error(`no checkpoint in ${outDir}`);
  const hash = createHash('sha256');
  // The child hashes network.namedVariables() in insertion order; the checkpoint keeps that order.
  for (const [name, tensor] of loaded.tensors)
    if (name.startsWith('network/')) hash.update(new Uint8Array((tensor.dataSync() as Float32Array).buffer));
  tf.dispose([...loaded.tensors.values()]);
  return { step: loaded.state.step as number, hash: hash.digest('hex') };
}

describe('SIGINT / SIGTERM during training', () => {
  it('finish the current step, write a checkpoint of that step and exit 0 (both signals, in parallel)', async () => {
    const runs = (['SIGINT', 'SIGTERM'] as const).map(async (signal) => {
      const outDir = mkdtempSync(join(tmpdir(), `signal-${signal}-`));
      const run = startChild(process.execPath, [trainer, outDir]);
      await run.waitFor(/step 15\n/);
      run.child.kill(signal);
      const exit = await run.exited;
      return { signal, outDir, exit, stdout: run.stdout(), stderr: run.stderr() };
    });
    for (const { signal, outDir, exit, stdout, stderr } of await Promise.all(runs)) {
      expect(exit.code, stderr).toBe(0);
      expect(stderr).toContain(`${signal} received: finishing the current step, then writing a checkpoint`);
      const result = /result signal (\d+) ([0-9a-f]{64})/.exec(stdout);
      expect(result, stdout).not.toBeNull();
      const stoppedAt = Number(result![1]);
      expect(stderr).toContain(`stopped by ${signal} after step ${stoppedAt}; checkpoint written`);
      const printed = [...stdout.matchAll(/step (\d+)\n/g)].map((match) => Number(match[1]));
      expect(printed[printed.length - 1]).toBe(stoppedAt); // the step in progress finished, none started after it
      expect(stoppedAt).toBeGreaterThanOrEqual(15);
      // The checkpoint holds exactly the weights the process had when it stopped.
      const saved = checkpointNetworkHash(outDir);
      expect(saved.step).toBe(stoppedAt);
      expect(saved.hash).toBe(result![2]);
      // And a resumed run continues from it.
      const components = tinyComponents();
      const resumed = await runTraining(components, {
        outDir,
        resume: true,
        maxSteps: stoppedAt + 2,
        progress: 'none',
        log: () => {},
      });
      expect(resumed.step).toBe(stoppedAt + 2);
      disposeComponents(components);
    }
  }, 90_000);

  it('the partial-mtl train CLI stops on SIGINT after the current step with exit code 0 and a resumable checkpoint', async () => {
    const { config, outDir } = tinyCliConfig(mkdtempSync(join(tmpdir(), 'signal-cli-')), {
      epochs: 1000,
      checkpointEverySteps: 100000,
      evaluateEvery: { unit: 'epoch', every: 1000 },
    });
    const run = startChild(process.execPath, [cli, 'train', '--config', config, '--progress', 'none']);
    const log = join(outDir, 'train-log.jsonl');
    let exited = false;
    void run.exited.then(() => (exited = true));
    while (
      !exited &&
      !(existsSync(log) && readFileSync(log, 'utf8').split('\n').filter(Boolean).length >= 3)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(exited, run.stderr()).toBe(false);
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);
    const stopped = /stopped by SIGINT after step (\d+); checkpoint written/.exec(run.stderr());
    expect(stopped, run.stderr()).not.toBeNull();
    const step = Number(stopped![1]);
    expect(JSON.parse(run.stdout().trim().split('\n').pop()!)).toMatchObject({ stopReason: 'signal', step });
    const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
    expect(loaded?.state.step).toBe(step);
    tf.dispose([...loaded!.tensors.values()]);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  }, 90_000);
});

/** The tiny CLI config with `training`, written into `directory`; its run directory is `directory/run`. */
function tinyCliConfig(
  directory: string,
  training: Record<string, unknown>,
): { config: string; outDir: string } {
  const outDir = join(directory, 'run');
  return { config: writeTinyCliConfig(join(directory, 'tiny.json'), { outDir, training }), outDir };
}

describe('a console that goes away', () => {
  it('the train CLI keeps training to the end when the reader of its stdout and stderr is gone', async () => {
    const { config, outDir } = tinyCliConfig(mkdtempSync(join(tmpdir(), 'epipe-cli-')), {
      maxSteps: 12,
      logEverySteps: 1,
      checkpointEverySteps: 100000,
      evaluateEvery: { unit: 'step', every: 12 },
    });
    const run = startChild(process.execPath, [cli, 'train', '--config', config, '--progress', 'lines']);
    const log = join(outDir, 'train-log.jsonl');
    while (!(existsSync(log) && readFileSync(log, 'utf8').split('\n').filter(Boolean).length >= 2)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // What a dead sweep runner leaves: both pipes closed on the reading side, so every later write (progress lines
    // on stderr, the result line on stdout) fails with EPIPE.
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    const metrics = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(metrics[metrics.length - 1]!)).toMatchObject({ step: 12 });
    const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
    expect(loaded?.state.step).toBe(12);
    tf.dispose([...loaded!.tensors.values()]);
  }, 90_000);
});
