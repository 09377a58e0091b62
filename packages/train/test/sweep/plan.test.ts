// Planning: deterministic indices and hashes, re-planning an unchanged grid is a no-op, changing one axis value
// changes only the affected entries (and needs --update), appending seeds only adds, renumbering is refused.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, configHash } from '../../src/sweep/canonical-json.js';
import { acquireEntryLock } from '../../src/sweep/entry-state.js';
import { loadGrid, parseGrid } from '../../src/sweep/grid.js';
import { expandGrid, PlanConflictError, readPlan, writePlan } from '../../src/sweep/plan.js';
import { writeTinyGrid } from './tiny-grid.js';

const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sweep-plan-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('canonicalJson and configHash', () => {
  it('sorts keys at every depth and hashes the canonical text with sha256', () => {
    const config = { b: [3, { d: 1, c: 2 }], a: 'x', z: -0 };
    expect(canonicalJson(config)).toBe('{"a":"x","b":[3,{"c":2,"d":1}],"z":0}');
    const expected = createHash('sha256').update('{"a":"x","b":[3,{"c":2,"d":1}],"z":0}').digest('hex');
    expect(configHash(config)).toBe(expected);
    expect(configHash({ z: 0, a: 'x', b: [3, { c: 2, d: 1 }] })).toBe(expected);
    expect(configHash({ a: 'x', b: [{ c: 2, d: 1 }, 3], z: 0 })).not.toBe(expected);
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('expandGrid', () => {
  it('numbers the product with the seed axis slowest and applies dotted overrides', () => {
    const grid = parseGrid(
      {
        base: { optimizer: { name: 'adam', learningRate: 0.1 }, seed: 0 },
        set: { 'training.epochs': 2 },
        axes: { method: { none: { 'regularizer.name': 'none' }, jtr: { 'regularizer.name': 'jtr' } } },
        grid: { 'optimizer.learningRate': [0.01, 0.001] },
        seeds: 2,
        baseline: 'none',
      },
      '.',
    );
    const entries = expandGrid(grid);
    expect(entries.map((entry) => entry.key)).toEqual([
      'seed=0,method=none,optimizer.learningRate=0.01',
      'seed=0,method=none,optimizer.learningRate=0.001',
      'seed=0,method=jtr,optimizer.learningRate=0.01',
      'seed=0,method=jtr,optimizer.learningRate=0.001',
      'seed=1,method=none,optimizer.learningRate=0.01',
      'seed=1,method=none,optimizer.learningRate=0.001',
      'seed=1,method=jtr,optimizer.learningRate=0.01',
      'seed=1,method=jtr,optimizer.learningRate=0.001',
    ]);
    expect(entries[6]!.config).toEqual({
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 1,
      training: { epochs: 2 },
      regularizer: { name: 'jtr' },
    });
    expect(grid.base).toEqual({ optimizer: { name: 'adam', learningRate: 0.1 }, seed: 0 });
    expect(new Set(entries.map((entry) => entry.hash)).size).toBe(8);
  });

  it('rejects unknown keys, a baseline outside its axis, and entries that resolve to the same config', () => {
    expect(() => parseGrid({ axes: {}, sedes: 3 }, '.')).toThrow(/sedes/);
    expect(() => parseGrid({ axes: { method: { none: {}, jtr: {} } }, baseline: 'supervised' }, '.')).toThrow(
      /baseline "supervised" is not a value of axis "method"/,
    );
    const twins = parseGrid({ axes: { method: { none: { a: 1 }, alias: { a: 1 } } } }, '.');
    expect(() => expandGrid(twins)).toThrow(/resolve to the same config/);
  });
});

describe('writePlan', () => {
  it('writes plan.json and one config.json per index whose sha256 is the entry hash', () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const { plan } = writePlan(runs, loadGrid(writeTinyGrid(root)));
    expect(plan.entries.map((entry) => entry.id)).toEqual(['0000', '0001', '0002', '0003', '0004', '0005']);
    expect(plan.entries[4]!.key).toBe('seed=1,method=pairwise');
    for (const entry of plan.entries) {
      const config = JSON.parse(readFileSync(join(runs, entry.id, 'config.json'), 'utf8'));
      expect(createHash('sha256').update(canonicalJson(config)).digest('hex')).toBe(entry.hash);
    }
    expect(readPlan(runs)).toEqual(JSON.parse(JSON.stringify(plan)));
  });

  it('re-planning an unchanged grid gives identical indices, hashes and plan.json bytes', () => {
    const root = temporaryDirectory();
    const gridPath = writeTinyGrid(root);
    const runs = join(root, 'runs');
    writePlan(runs, loadGrid(gridPath));
    const before = readFileSync(join(runs, 'plan.json'), 'utf8');
    writeFileSync(join(runs, '0003', 'result.json'), '{"kept":true}');
    const again = writePlan(runs, loadGrid(gridPath));
    expect(again.changes).toMatchObject({ changed: [], added: [], removed: [], moved: [] });
    expect(again.changes!.unchanged).toEqual([0, 1, 2, 3, 4, 5]);
    expect(readFileSync(join(runs, 'plan.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(runs, '0003', 'result.json'), 'utf8')).toBe('{"kept":true}');
    const elsewhere = join(root, 'elsewhere');
    writePlan(elsewhere, loadGrid(gridPath));
    expect(readFileSync(join(elsewhere, 'plan.json'), 'utf8')).toBe(before);
  });

  it('changing one axis value changes only the affected entries, and only with update', () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const first = writePlan(
      runs,
      loadGrid(writeTinyGrid(root, { grid: { 'optimizer.learningRate': [0.1, 0.01] } })),
    );
    expect(first.plan.entries).toHaveLength(12);
    writeFileSync(join(runs, '0003', 'result.json'), '{"old":true}');
    const changedGrid = loadGrid(writeTinyGrid(root, { grid: { 'optimizer.learningRate': [0.1, 0.02] } }));
    let conflict: unknown;
    try {
      writePlan(runs, changedGrid);
    } catch (error) {
      conflict = error;
    }
    expect(conflict).toBeInstanceOf(PlanConflictError);
    const changes = (conflict as PlanConflictError).changes;
    const affected = [1, 3, 5, 7, 9, 11];
    expect(changes.changed.map((change) => change.index)).toEqual(affected);
    expect(changes.unchanged).toEqual([0, 2, 4, 6, 8, 10]);
    expect(readPlan(runs).entries.map((entry) => entry.hash)).toEqual(
      first.plan.entries.map((entry) => entry.hash),
    );

    const lock = acquireEntryLock(join(runs, '0003'));
    expect(() => writePlan(runs, changedGrid, { update: true })).toThrow(
      /cannot replace entries that are running: 0003/,
    );
    expect(readFileSync(join(runs, '0003', 'result.json'), 'utf8')).toBe('{"old":true}');
    lock.release();
    const updated = writePlan(runs, changedGrid, { update: true });
    updated.plan.entries.forEach((entry, index) => {
      const old = first.plan.entries[index]!;
      expect(entry.index).toBe(old.index);
      expect(entry.id).toBe(old.id);
      if (affected.includes(index)) {
        expect(entry.hash).not.toBe(old.hash);
        expect(entry.key).toBe(old.key.replace('learningRate=0.01', 'learningRate=0.02'));
      } else expect(entry).toEqual(old);
    });
    expect(existsSync(join(runs, '0003', 'result.json'))).toBe(false);
    const archived = join(
      runs,
      'superseded',
      `0003-${first.plan.entries[3]!.hash.slice(0, 12)}`,
      'result.json',
    );
    expect(readFileSync(archived, 'utf8')).toBe('{"old":true}');
    expect(updated.superseded).toHaveLength(1);
  });

  it('appending a seed only adds entries; adding a value to an inner axis is refused as renumbering', () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const first = writePlan(runs, loadGrid(writeTinyGrid(root, { seeds: [0, 1] })));
    const extended = writePlan(runs, loadGrid(writeTinyGrid(root, { seeds: [0, 1, 2] })));
    expect(extended.changes!.added).toEqual([6, 7, 8]);
    expect(extended.plan.entries.slice(0, 6)).toEqual(first.plan.entries);
    const inner = loadGrid(
      writeTinyGrid(root, {
        seeds: [0, 1, 2],
        methods: { none: { bonus: 0 }, mtpsl: { bonus: 3 }, pairwise: { bonus: 1 }, jtr: { bonus: 2 } },
      }),
    );
    expect(() => writePlan(runs, inner, { update: true })).toThrow(
      /renumber[\s\S]*moved {4}seed=0,method=pairwise: index 1 -> 2/,
    );
    expect(readPlan(runs).entries).toHaveLength(9);
  });
});
