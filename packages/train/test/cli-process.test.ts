// Runs the built CLI in child processes: an uninterrupted run against one stopped by SIGTERM, resumed, killed
// by SIGKILL half way (often during a checkpoint write, since one is written every step), and resumed again.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint.js';
import { type MetricsLine, readJsonLines } from '../src/run-logs.js';
import { writeTinyCliConfig } from './fixtures/tiny-cli-config.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageDirectory, 'dist', 'cli.js');

function tinyConfig(outDir: string): string {
  return writeTinyCliConfig(join(mkdtempSync(join(tmpdir(), 'cli-config-')), 'tiny.json'), {
    outDir,
    regularizer: { name: 'distribution-matching' },
    optimizer: { learningRate: 0.001 },
    data: { batchSize: 4, augment: true },
    training: { epochs: 2, checkpointEverySteps: 1 },
  });
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Starts `partial-mtl train ARGS`; sends `signal` once train-log.jsonl has `afterLines` lines. */
function runCli(args: string[], stop?: { signal: NodeJS.Signals; afterLines: number; outDir: string }) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'train', ...args, '--progress', 'none'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.stdout.resume();
    const timer = stop
      ? setInterval(() => {
          if (lineCount(join(stop.outDir, 'train-log.jsonl')) >= stop.afterLines) {
            child.kill(stop.signal);
            clearInterval(timer);
          }
        }, 20)
      : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function finalTensors(outDir: string): Record<string, number[]> {
  const checkpoint = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
  if (!checkpoint) throw new Error(`no checkpoint in ${outDir}`);
  const values = Object.fromEntries(
    [...checkpoint.tensors].map(([name, tensor]) => [name, [...tensor.dataSync()]]),
  );
  checkpoint.tensors.forEach((tensor) => tensor.dispose());
  return values;
}

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: packageDirectory,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

describe('partial-mtl train in a child process', () => {
  it('stops cleanly on SIGTERM, survives SIGKILL, and resumes to the same final weights and metrics', async () => {
    const reference = mkdtempSync(join(tmpdir(), 'cli-reference-'));
    const full = await runCli(['--config', tinyConfig(reference)]);
    expect(full.code, full.stderr).toBe(0);

    const outDir = mkdtempSync(join(tmpdir(), 'cli-interrupted-'));
    const config = tinyConfig(outDir);
    const terminated = await runCli(['--config', config], { signal: 'SIGTERM', afterLines: 3, outDir });
    expect(terminated.code, terminated.stderr).toBe(0);
    expect(terminated.stderr).toMatch(/stopped by SIGTERM after step (\d+); checkpoint written/);
    const stoppedAt = Number(/after step (\d+)/.exec(terminated.stderr)![1]);
    expect(stoppedAt).toBeLessThan(12);
    expect(loadCheckpoint(join(outDir, 'checkpoints', 'last'))!.state.step).toBe(stoppedAt);

    const killed = await runCli(['--resume', outDir], { signal: 'SIGKILL', afterLines: 8, outDir });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runCli(['--resume', outDir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from .* at step \d+/);

    const expected = finalTensors(reference);
    const actual = finalTensors(outDir);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const name of Object.keys(expected)) expect(actual[name], name).toEqual(expected[name]);
    const referenceMetrics = readJsonLines<MetricsLine>(join(reference, 'metrics.jsonl'));
    const resumedMetrics = readJsonLines<MetricsLine>(join(outDir, 'metrics.jsonl'));
    expect(resumedMetrics.map((line) => line.metrics)).toEqual(referenceMetrics.map((line) => line.metrics));
    expect(
      readJsonLines(join(outDir, 'train-log.jsonl')).map((line) => (line as { loss: number }).loss),
    ).toEqual(
      readJsonLines(join(reference, 'train-log.jsonl')).map((line) => (line as { loss: number }).loss),
    );
  }, 240_000);

  it('fails before training with a message naming the field for a bad config', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cli-bad-'));
    const path = join(directory, 'bad.yaml');
    writeFileSync(
      path,
      'dataset:\n  name: nyuv2-typo\nregularizer:\n  name: jtrr\ntraining:\n  epochs: two\n',
    );
    const result = await runCli(['--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/training\.epochs: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(directory, 'runs'))).toBe(false);
  }, 60_000);
});
