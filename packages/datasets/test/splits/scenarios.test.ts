import { describe, expect, it } from 'vitest';
import { createSplit } from '../../src/splits/scenarios.js';

const taskNames = ['semseg', 'depth', 'normal'];

describe('createSplit', () => {
  it('full labels everything', () => {
    expect(createSplit('full', { rows: 4, taskNames, seed: 1 }).countsPerTask()).toEqual([4, 4, 4]);
  });

  it('onelabel gives one task per row, balanced, seeded', () => {
    const table = createSplit('onelabel', { rows: 795, taskNames, seed: 3 });
    expect(table.labelsPerRow()).toEqual({ '1': 795 });
    expect(table.countsPerTask()).toEqual([265, 265, 265]);
    const uneven = createSplit('onelabel', {
      rows: 2975,
      taskNames: ['semseg', 'depth'],
      seed: 3,
    }).countsPerTask();
    expect(uneven.sort()).toEqual([1487, 1488]);
    expect(createSplit('onelabel', { rows: 50, taskNames, seed: 3 }).flags).toEqual(
      createSplit('onelabel', { rows: 50, taskNames, seed: 3 }).flags,
    );
    expect(createSplit('onelabel', { rows: 50, taskNames, seed: 3 }).flags).not.toEqual(
      createSplit('onelabel', { rows: 50, taskNames, seed: 4 }).flags,
    );
  });

  it('randomlabels gives 1..T-1 labels per row and needs two tasks', () => {
    const table = createSplit('randomlabels', { rows: 600, taskNames, seed: 5 });
    const histogram = table.labelsPerRow();
    expect(Object.keys(histogram).sort()).toEqual(['1', '2']);
    expect(histogram['1']! + histogram['2']!).toBe(600);
    expect(histogram['1']!).toBeGreaterThan(240);
    expect(histogram['2']!).toBeGreaterThan(240);
    expect(() => createSplit('randomlabels', { rows: 2, taskNames: ['a'], seed: 1 })).toThrow(
      /needs at least 2 tasks/,
    );
  });

  it('halflabels gives half the tasks (at least one)', () => {
    expect(
      createSplit('halflabels', { rows: 20, taskNames: ['a', 'b', 'c', 'd'], seed: 1 }).labelsPerRow(),
    ).toEqual({ '2': 20 });
    expect(createSplit('halflabels', { rows: 20, taskNames: ['a'], seed: 1 }).labelsPerRow()).toEqual({
      '1': 20,
    });
    const odd = createSplit('halflabels', { rows: 400, taskNames, seed: 1 }).labelsPerRow();
    expect(Object.keys(odd).sort()).toEqual(['1', '2']);
  });

  it('ratios label round(ratio·N) rows per task', () => {
    expect(
      createSplit('ratios', { rows: 10, taskNames, seed: 2, ratios: [0.1, 0.5, 1] }).countsPerTask(),
    ).toEqual([1, 5, 10]);
    expect(
      createSplit('ratios', {
        rows: 10,
        taskNames,
        seed: 2,
        ratios: { semseg: 0, depth: 0.25, normal: 0.75 },
      }).countsPerTask(),
    ).toEqual([0, 3, 8]);
    expect(() => createSplit('ratios', { rows: 10, taskNames, seed: 2, ratios: [0.1, 2, 1] })).toThrow(
      /ratio of 'depth' must be in \[0, 1\]/,
    );
    expect(() => createSplit('ratios', { rows: 10, taskNames, seed: 2 })).toThrow(
      /options\.ratios is required/,
    );
    expect(() => createSplit('bogus' as 'full', { rows: 10, taskNames, seed: 2 })).toThrow(
      /unknown scenario 'bogus'/,
    );
  });
});
