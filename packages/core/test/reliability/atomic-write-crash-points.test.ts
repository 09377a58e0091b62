// writeFileAtomic under crashes and full disks: the replacement of a file is "killed" before each of its
// file-system calls in turn (fs-faults.ts), and a disk that fills up during the write. The target must always hold
// the old contents or the new ones, byte for byte — never a prefix, never empty — and a full disk leaves no temp file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { crashAt, diskFullAtWrite, type FsFaults, InjectedCrash } from './fs-faults.js';

let active: FsFaults | undefined;
afterEach(() => {
  active?.restore();
  active = undefined;
});

const oldContents = Buffer.from('{"version": 1}'.repeat(1000));
const newContents = Buffer.from('{"version": 2, "longer": true}'.repeat(2000));

describe('writeFileAtomic', () => {
  it('leaves the old or the new contents when killed before any of its file-system calls', () => {
    const probeTarget = join(mkdtempSync(join(tmpdir(), 'atomic-probe-')), 'state.json');
    writeFileSync(probeTarget, oldContents);
    const probe = crashAt(Number.POSITIVE_INFINITY);
    writeFileAtomic(probeTarget, newContents);
    probe.restore();
    const calls = probe.calls.length;
    expect(probe.calls).toEqual(expect.arrayContaining(['openSync', 'writeSync', 'fsyncSync', 'renameSync']));
    let sawOld = 0;
    let sawNew = 0;
    for (let k = 0; k <= calls; k++) {
      const target = join(mkdtempSync(join(tmpdir(), 'atomic-crash-')), 'state.json');
      writeFileSync(target, oldContents);
      active = crashAt(k);
      let crashed = false;
      try {
        writeFileAtomic(target, newContents);
      } catch (error) {
        expect(error).toBeInstanceOf(InjectedCrash);
        crashed = true;
      }
      active.restore();
      active = undefined;
      const contents = readFileSync(target);
      const isOld = contents.equals(oldContents);
      const isNew = contents.equals(newContents);
      expect(isOld || isNew, `crash point ${k}: ${contents.length} bytes`).toBe(true);
      if (!crashed) expect(isNew).toBe(true);
      if (isOld) sawOld += 1;
      else sawNew += 1;
    }
    // Both outcomes occur: the crash points straddle the rename.
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
    console.log(
      `core atomic write: ${calls + 1} crash points, ${sawOld} left the old file, ${sawNew} the new one`,
    );
  });

  it('keeps the old contents and removes its temporary file when the disk is full', () => {
    const directory = mkdtempSync(join(tmpdir(), 'atomic-full-'));
    const target = join(directory, 'state.json');
    writeFileSync(target, oldContents);
    active = diskFullAtWrite(0);
    expect(() => writeFileAtomic(target, newContents)).toThrow(/ENOSPC/);
    active.restore();
    active = undefined;
    expect(readFileSync(target).equals(oldContents)).toBe(true);
    expect(readdirSync(directory)).toEqual(['state.json']);
  });
});
