// Crash-safety of checkpoints, exhaustively: a save is "killed" before each of its file-system calls in turn (the
// disk is left as a killed process leaves it) and the loader must then return the previous checkpoint or the new
// one, complete and bit-for-bit; a full disk mid-save leaves the previous one loadable; torn files are rejected.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  crashAt,
  diskFullAtWrite,
  type FsFaults,
  InjectedCrash,
} from '../../../core/test/reliability/fs-faults.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/checkpoint.js';

let active: FsFaults | undefined;
const counts = { crashPoints: 0, checkpointsVerified: 0, faults: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  active?.restore();
  active = undefined;
});

function tensorsFor(step: number): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    [
      'network/w',
      tf.tensor(
        Float32Array.from({ length: 300 }, (_, i) => step * 1000 + i * 0.5),
        [20, 15],
      ),
    ],
    ['optimizer/count', tf.tensor(Int32Array.from([step, step * 2]), [2], 'int32')],
  ]);
}

/** Loads `directory` and checks it is exactly the checkpoint of `step`; returns that step. */
function verifiedStep(directory: string): number {
  const loaded = loadCheckpoint(directory);
  if (!loaded) throw new Error(`no checkpoint in ${directory}`);
  try {
    const step = loaded.state.step as number;
    const expected = tensorsFor(step);
    for (const [name, tensor] of expected) {
      const actual = loaded.tensors.get(name);
      expect(actual, name).toBeDefined();
      expect(actual!.dtype).toBe(tensor.dtype);
      expect(
        Buffer.from((actual!.dataSync() as Float32Array).buffer).equals(
          Buffer.from((tensor.dataSync() as Float32Array).buffer),
        ),
      ).toBe(true);
    }
    tf.dispose([...expected.values()]);
    counts.checkpointsVerified += 1;
    return step;
  } finally {
    tf.dispose([...loaded.tensors.values()]);
  }
}

async function save(directory: string, step: number): Promise<void> {
  const tensors = tensorsFor(step);
  try {
    await saveCheckpoint(directory, tensors, { step });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

describe('checkpoint saves killed at every file-system call', () => {
  it('always leave the previous checkpoint or the new one, never a torn one', async () => {
    // Count the calls of one full save first.
    const probeDirectory = join(mkdtempSync(join(tmpdir(), 'ckpt-probe-')), 'last');
    await save(probeDirectory, 1);
    const probe = crashAt(Number.POSITIVE_INFINITY);
    await save(probeDirectory, 2);
    probe.restore();
    const callsPerSave = probe.calls.length;
    expect(callsPerSave).toBeGreaterThan(15);
    expect(probe.calls).toContain('renameSync');

    const before = tf.memory().numTensors;
    for (let k = 0; k <= callsPerSave; k++) {
      const directory = join(mkdtempSync(join(tmpdir(), 'ckpt-crash-')), 'last');
      await save(directory, 7);
      active = crashAt(k);
      const outcome = await save(directory, 8).then(
        () => 'completed',
        (error: unknown) =>
          error instanceof InjectedCrash ? 'crashed' : `other: ${(error as Error).message}`,
      );
      active.restore();
      active = undefined;
      // A crash at a directory fsync is swallowed by design (best effort on platforms without it), so a save may
      // still complete; anything but the injected crash escaping would be a bug.
      expect(['completed', 'crashed']).toContain(outcome);
      if (k === callsPerSave) expect(outcome).toBe('completed');
      const step = verifiedStep(directory);
      expect([7, 8]).toContain(step);
      if (outcome === 'completed') expect(step).toBe(8);
      // Once the pointer names the new version, it is what loads; a later save cleans every leftover.
      await save(directory, 9);
      expect(verifiedStep(directory)).toBe(9);
      // Every leftover (temporary or superseded versions, a torn pointer temp file) is removed.
      expect(readdirSync(directory).filter((name) => name !== 'current.json')).toHaveLength(1);
      counts.crashPoints += 1;
      counts.faults += 1;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the previous checkpoint when the disk fills up mid-save, and says so in the error', async () => {
    for (const write of [0, 1, 2, 3]) {
      const directory = join(mkdtempSync(join(tmpdir(), 'ckpt-full-')), 'last');
      await save(directory, 3);
      active = diskFullAtWrite(write);
      await expect(save(directory, 4)).rejects.toThrow(/ENOSPC/);
      active.restore();
      active = undefined;
      expect(verifiedStep(directory)).toBe(3);
      counts.faults += 1;
    }
  });

  it('rejects torn, truncated or missing files and falls back to an older complete version', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'ckpt-torn-')), 'last');
    await save(directory, 5);
    const version = (JSON.parse(readFileSync(join(directory, 'current.json'), 'utf8')) as { version: string })
      .version;
    // Truncated tensor shard: rejected, and with no older version the error names the file and the reason.
    truncateSync(join(directory, version, 'tensors.bin'), 100);
    expect(() => loadCheckpoint(directory)).toThrow(
      new RegExp(`no valid checkpoint in .*${version}: tensors\\.bin is torn or corrupt`, 's'),
    );
    counts.faults += 1;

    // A complete older version beside a newer one whose manifest is missing: the older one loads.
    const second = join(mkdtempSync(join(tmpdir(), 'ckpt-fallback-')), 'last');
    await save(second, 10);
    const older = readdirSync(second).find((name) => name.startsWith('v'))!;
    const olderFiles = ['manifest.json', 'state.json', 'tensors.bin'].map(
      (file) => [file, readFileSync(join(second, older, file))] as const,
    );
    await save(second, 11);
    const newer = (JSON.parse(readFileSync(join(second, 'current.json'), 'utf8')) as { version: string })
      .version;
    // Put the older version back (as if the crash happened before cleanup), then break the newer one.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(second, older));
    for (const [file, bytes] of olderFiles) writeFileSync(join(second, older, file), bytes);
    unlinkSync(join(second, newer, 'manifest.json'));
    expect(verifiedStep(second)).toBe(10);
    counts.faults += 1;

    // A flipped byte (same length) is caught by the checksum, not only by the size.
    const third = join(mkdtempSync(join(tmpdir(), 'ckpt-flip-')), 'last');
    await save(third, 12);
    const pointer = JSON.parse(readFileSync(join(third, 'current.json'), 'utf8')) as { version: string };
    const shard = join(third, pointer.version, 'tensors.bin');
    const bytes = readFileSync(shard);
    bytes[17] = bytes[17]! ^ 0xff;
    writeFileSync(shard, bytes);
    expect(() => loadCheckpoint(third)).toThrow(/tensors\.bin is torn or corrupt/);
    counts.faults += 1;

    // A garbage pointer is ignored in favour of scanning the complete versions.
    const fourth = join(mkdtempSync(join(tmpdir(), 'ckpt-pointer-')), 'last');
    await save(fourth, 13);
    writeFileSync(join(fourth, 'current.json'), '{"version": "v00');
    expect(verifiedStep(fourth)).toBe(13);
    expect(existsSync(join(fourth, 'current.json'))).toBe(true);
    counts.faults += 1;
  });

  it('reports its counts', () => {
    console.log(
      `checkpoint crash points: ${counts.crashPoints}, faults injected: ${counts.faults}, checkpoints verified intact: ${counts.checkpointsVerified}`,
    );
    expect(counts.crashPoints).toBeGreaterThan(15);
  });
});
