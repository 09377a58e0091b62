// Unwritable or full output directories: a clear error before any step runs where it can be detected (a path
// under a regular file — ENOTDIR, which stops root too — a path under /proc, too little free space per statfs),
// and a disk that fills up during a checkpoint write leaves the previous checkpoint loadable and valid.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FsFaults, installFsFaults } from '../../../core/test/reliability/fs-faults.js';
import { loadCheckpoint } from '../../src/checkpoint.js';
import {
  estimateCheckpointBytes,
  preflightOutputDirectory,
  preflightRun,
} from '../../src/reliability/preflight.js';
import { runTraining } from '../../src/training-loop.js';
import { disposeComponents, tinyComponents } from '../fixtures/tiny-components.js';

let active: FsFaults | undefined;
const counts = { badDirectories: 0, faults: 0, checkpointsVerified: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  active?.restore();
  active = undefined;
});

function regularFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'outdir-file-')), 'not-a-directory');
  writeFileSync(path, 'x');
  return path;
}

describe('output directory preflight', () => {
  // /proc included: the preflight never calls Node's recursive mkdir, which would spin forever there.
  const unwritable = () => [
    join(regularFile(), 'run'),
    join(regularFile(), 'deeper', 'run'),
    '/dev/null/run',
    '/proc/partial-mtl-run',
  ];

  it('runTraining refuses an unwritable outDir before any step runs', async () => {
    for (const outDir of unwritable()) {
      const components = tinyComponents();
      let steps = 0;
      await expect(
        runTraining(components, {
          outDir,
          maxSteps: 2,
          progress: 'none',
          log: () => {},
          onStep: () => (steps += 1),
        }),
      ).rejects.toThrow(
        new RegExp(
          `outDir: ${outDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} (is not writable|cannot be created: .* is a file)`,
        ),
      );
      expect(steps).toBe(0);
      disposeComponents(components);
      counts.badDirectories += 1;
    }
  });

  it('preflightOutputDirectory names the cause: a file in the path, an unwritable place, too little free space', () => {
    const file = regularFile();
    expect(() => preflightOutputDirectory(join(file, 'run'))).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is a file, not a directory \\(ENOTDIR\\)`),
    );
    // Under /proc, where Node's recursive mkdir would spin forever, the preflight fails at once.
    expect(() => preflightOutputDirectory('/proc/partial-mtl-run/deeper')).toThrow(
      /outDir: \/proc\/partial-mtl-run\/deeper is not writable \((ENOENT|EACCES|EPERM|EROFS)/,
    );
    counts.badDirectories += 2;

    const fine = mkdtempSync(join(tmpdir(), 'outdir-ok-'));
    const bytes = estimateCheckpointBytes(1_000_000, 2); // a million weights with Adam's two slots
    expect(bytes).toBe(12_000_000 + 65_536);
    expect(preflightOutputDirectory(fine, { checkpointBytes: bytes })).toBeGreaterThan(0);
    expect(existsSync(join(fine, 'checkpoints'))).toBe(true);
    const nearlyFull = { bavail: 100, bsize: 4096 };
    expect(() =>
      preflightOutputDirectory(fine, { checkpointBytes: bytes, statfs: () => nearlyFull }),
    ).toThrow(
      /has 0\.4 MiB free, a run needs about 50\.5 MiB \(3 checkpoints of 11\.5 MiB plus logs\); nothing was trained/,
    );
    counts.faults += 1;
  });

  it('preflightRun sizes the checkpoints from the variables and the optimizer', () => {
    const components = tinyComponents();
    const fine = mkdtempSync(join(tmpdir(), 'outdir-run-'));
    const maps = [components.network.namedVariables(), components.regularizer.namedVariables()];
    let seen = 0;
    const statfs = () => ({ bavail: 1e9, bsize: 1 });
    expect(preflightRun(fine, maps, 'adam', { statfs, copies: 1, marginBytes: 0 })).toBe(1e9);
    // 12 + 12 + 4 + 1 weights: with Adam 3 copies of 4 bytes each, plus 64 KiB of state, must fit in free space.
    const exact = estimateCheckpointBytes(29, 2);
    expect(() =>
      preflightRun(fine, maps, 'adam', {
        statfs: () => ({ bavail: exact - 1, bsize: 1 }),
        copies: 1,
        marginBytes: 0,
      }),
    ).toThrow(/nothing was trained/);
    expect(
      preflightRun(fine, maps, 'sgd', {
        statfs: () => {
          seen += 1;
          return { bavail: estimateCheckpointBytes(29, 1), bsize: 1 };
        },
        copies: 1,
        marginBytes: 0,
      }),
    ).toBeGreaterThan(0);
    expect(seen).toBe(1);
    disposeComponents(components);
  });
});

describe('a disk that fills up during training', () => {
  it('fails the run with ENOSPC while the previous checkpoint stays loadable and is not replaced by a partial one', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'outdir-full-'));
    const components = tinyComponents();
    let tensorFiles = 0;
    let stepAtFault = -1;
    let step = 0;
    active = installFsFaults((_index, name, args) => {
      if (name !== 'openSync' || !String(args[0]).endsWith('tensors.bin')) return undefined;
      tensorFiles += 1;
      if (tensorFiles !== 3) return undefined;
      stepAtFault = step;
      return Object.assign(new Error(`ENOSPC: no space left on device, open '${String(args[0])}'`), {
        code: 'ENOSPC',
      });
    });
    await expect(
      runTraining(components, {
        outDir,
        epochs: 4,
        checkpointEverySteps: 2,
        evaluateEvery: { unit: 'step', every: 1000 },
        progress: 'none',
        log: () => {},
        onStep: (s) => (step = s),
      }),
    ).rejects.toThrow(
      /^training stopped in step 7 \(epoch 1\): ENOSPC: no space left on device.*\n.*checkpoints\/last, is intact .*The file system of .* is full: free space, then continue with --resume/,
    );
    active.restore();
    active = undefined;
    counts.faults += 1;
    expect(stepAtFault).toBe(6); // saves at steps 2 and 4 succeeded, the one at step 6 hit the full disk
    const loaded = loadCheckpoint(join(outDir, 'checkpoints', 'last'));
    expect(loaded?.state.step).toBe(4);
    tf.dispose([...loaded!.tensors.values()]);
    counts.checkpointsVerified += 1;
    // The run resumes from that checkpoint once there is room again.
    const resumed = await runTraining(components, {
      outDir,
      resume: true,
      maxSteps: 8,
      progress: 'none',
      log: () => {},
    });
    expect(resumed.step).toBe(8);
    disposeComponents(components);
    console.log(
      `output directory: ${counts.badDirectories} bad directories, ${counts.faults} faults injected, ${counts.checkpointsVerified} checkpoints verified`,
    );
  });
});
