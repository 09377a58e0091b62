import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/index.js';

describe('writeFileAtomic', () => {
  it('replaces a file and leaves no temporary files behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmtl-atomic-'));
    const target = join(dir, 'a.json');
    writeFileSync(target, 'old');
    writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('keeps the old file when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmtl-atomic-'));
    expect(() => writeFileAtomic(join(dir, 'missing-dir', 'a.json'), 'x')).toThrow(/ENOENT/);
  });
});
