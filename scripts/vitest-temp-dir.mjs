// Vitest global setup shared by every package's tests: points TMPDIR (os.tmpdir(), and child processes) at one
// fresh directory per test run and removes it afterwards, so that the many mkdtemp directories the tests create
// (crash points, bad files, checkpoints) do not pile up in the system's temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  const previous = process.env.TMPDIR;
  const directory = mkdtempSync(join(tmpdir(), 'partial-mtl-tests-'));
  process.env.TMPDIR = directory;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(directory, { recursive: true, force: true });
  };
}
