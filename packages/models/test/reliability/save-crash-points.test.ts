// Crash-safety of saveNetwork's atomic folder writes: the save of version 2 over version 1 is "killed" before each
// of its file-system calls in turn (fs-faults.ts). Afterwards loadNetwork must return version 1 or version 2 exactly,
// or — only in the instant between the two renames — fail with a message pointing at the intact previous folder.
// A full disk mid-save keeps version 1; temporary folders left by a crash are never loaded.
import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nyuv2Tasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  crashAt,
  diskFullAtWrite,
  type FsFaults,
  InjectedCrash,
} from '../../../core/test/reliability/fs-faults.js';
import { createMultiTaskNetwork, loadNetwork, type PartialMtlNetwork, saveNetwork } from '../../src/index.js';

let active: FsFaults | undefined;
const shardSize = 256 * 1024; // few files, so the crash points stay few (each kind of write is still covered)
const counts = { crashPoints: 0, faults: 0, verified: 0, previousFolderReported: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  active?.restore();
  active = undefined;
});

function network(seed: number): PartialMtlNetwork {
  return createMultiTaskNetwork({ backbone: 'segnet', tasks: nyuv2Tasks, widthMultiplier: 0.0625, seed });
}

function fingerprint(net: PartialMtlNetwork): string {
  return [...net.namedVariables()]
    .map(
      ([name, variable]) =>
        `${name}:${Buffer.from((variable.dataSync() as Float32Array).buffer).toString('base64')}`,
    )
    .join('|');
}

/** Loads `directory` and returns which version (1 or 2) it is, or the error message. */
async function loadedVersion(
  directory: string,
  versions: ReadonlyMap<number, string>,
): Promise<number | string> {
  try {
    const loaded = await loadNetwork(directory);
    const print = fingerprint(loaded);
    loaded.dispose();
    for (const [version, expected] of versions) if (print === expected) return version;
    return 'loaded weights match neither version';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('saveNetwork killed at every file-system call', () => {
  it('leaves version 1 or version 2, never a mix; the one gap between renames is reported with the intact folder', async () => {
    const first = network(1);
    const second = network(2);
    const versions = new Map([
      [1, fingerprint(first)],
      [2, fingerprint(second)],
    ]);
    const probeDirectory = join(mkdtempSync(join(tmpdir(), 'models-probe-')), 'net');
    await saveNetwork(first, probeDirectory, { shardSizeBytes: shardSize });
    const probe = crashAt(Number.POSITIVE_INFINITY);
    await saveNetwork(second, probeDirectory, { shardSizeBytes: shardSize });
    probe.restore();
    const callsPerSave = probe.calls.length;
    expect(callsPerSave).toBeGreaterThan(10);

    for (let k = 0; k <= callsPerSave; k++) {
      const parent = mkdtempSync(join(tmpdir(), 'models-crash-'));
      const directory = join(parent, 'net');
      await saveNetwork(first, directory, { shardSizeBytes: shardSize });
      active = crashAt(k);
      const outcome = await saveNetwork(second, directory, { shardSizeBytes: shardSize }).then(
        () => 'completed',
        (error: unknown) =>
          error instanceof InjectedCrash ? 'crashed' : `other: ${(error as Error).message}`,
      );
      active.restore();
      active = undefined;
      expect(['completed', 'crashed']).toContain(outcome);
      const result = await loadedVersion(directory, versions);
      counts.crashPoints += 1;
      counts.faults += 1;
      if (typeof result === 'number') {
        expect([1, 2]).toContain(result);
        if (outcome === 'completed') expect(result).toBe(2);
        counts.verified += 1;
      } else {
        // Killed between "rename the old folder aside" and "rename the new one in": the error says where the
        // previous version is, and that folder is complete.
        const match = /an interrupted save left the previous version in (\S+)$/.exec(result);
        expect(match, result).not.toBeNull();
        renameSync(match![1]!, directory);
        expect(await loadedVersion(directory, versions)).toBe(1);
        counts.previousFolderReported += 1;
        counts.verified += 1;
      }
      // A later save succeeds over whatever was left, and only its folder is loaded.
      await saveNetwork(second, directory, { shardSizeBytes: shardSize });
      expect(await loadedVersion(directory, versions)).toBe(2);
    }
    console.log(
      `models save crash points: ${counts.crashPoints}, faults injected: ${counts.faults}, folders verified intact: ${counts.verified} (${counts.previousFolderReported} via the reported previous folder)`,
    );
    expect(counts.crashPoints).toBe(callsPerSave + 1);
    first.dispose();
    second.dispose();
  }, 60_000);

  it('keeps the previous folder when the disk fills up during a save', async () => {
    const first = network(3);
    const second = network(4);
    for (const write of [0, 1]) {
      const parent = mkdtempSync(join(tmpdir(), 'models-full-'));
      const directory = join(parent, 'net');
      await saveNetwork(first, directory, { shardSizeBytes: shardSize });
      active = diskFullAtWrite(write);
      await expect(saveNetwork(second, directory, { shardSizeBytes: shardSize })).rejects.toThrow(/ENOSPC/);
      active.restore();
      active = undefined;
      counts.faults += 1;
      expect(await loadedVersion(directory, new Map([[3, fingerprint(first)]]))).toBe(3);
      expect(readdirSync(parent)).toEqual(['net']); // the temporary folder was removed
      counts.verified += 1;
    }
    first.dispose();
    second.dispose();
  });
});
