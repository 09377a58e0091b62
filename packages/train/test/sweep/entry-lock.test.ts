// The entry lock: a live runner or a live orphaned trainer on this host holds it, a dead one does not; a lock
// from another host holds while its heartbeat (mtime) is fresh. Busy entries are refused, stale locks taken over.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireEntryLock,
  EntryBusyError,
  inspectEntry,
  LOCK_FILE,
  LOCK_STALE_MS,
} from '../../src/sweep/entry-state.js';

const directories: string[] = [];

function entryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sweep-lock-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

function writeLock(directory: string, owner: Record<string, unknown>, ageMs = 0): void {
  const path = join(directory, LOCK_FILE);
  writeFileSync(path, JSON.stringify(owner));
  const time = new Date(Date.now() - ageMs);
  utimesSync(path, time, time);
}

describe('entry lock', () => {
  it('is exclusive while held and free after release', () => {
    const directory = entryDirectory();
    const lock = acquireEntryLock(directory);
    expect(() => acquireEntryLock(directory)).toThrow(EntryBusyError);
    expect(inspectEntry(directory).state).toBe('running');
    lock.release();
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
    expect(inspectEntry(directory).state).toBe('pending');
    acquireEntryLock(directory).release();
  });

  it('takes over a lock whose runner and trainer are dead on this host', () => {
    const directory = entryDirectory();
    writeLock(directory, { pid: deadPid(), host: hostname(), childPid: deadPid() });
    expect(inspectEntry(directory).state).toBe('pending');
    acquireEntryLock(directory).release();
  });

  it('stays held while an orphaned trainer lives, even though its runner died', () => {
    const directory = entryDirectory();
    writeLock(directory, { pid: deadPid(), host: hostname(), childPid: process.pid });
    expect(inspectEntry(directory).state).toBe('running');
    expect(() => acquireEntryLock(directory)).toThrow(/being run by pid/);
  });

  it('trusts another host only while its heartbeat is fresh', () => {
    const directory = entryDirectory();
    writeLock(directory, { pid: 1, host: `not-${hostname()}` });
    expect(() => acquireEntryLock(directory)).toThrow(EntryBusyError);
    writeLock(directory, { pid: 1, host: `not-${hostname()}` }, LOCK_STALE_MS + 1000);
    expect(inspectEntry(directory).state).toBe('pending');
    acquireEntryLock(directory).release();
  });
});
