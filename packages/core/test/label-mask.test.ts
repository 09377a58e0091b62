import { describe, expect, it } from 'vitest';
import { defineTask, defineTasks, LabelMaskTable, lossKindOf, nyuv2Tasks } from '../src/index.js';

describe('LabelMaskTable', () => {
  const table = LabelMaskTable.fromRows(
    ['semseg', 'depth', 'normal'],
    [
      [1, 0, 0],
      [0, 1, 1],
      [1, 1, 0],
    ],
  );

  it('counts labels per task and per row', () => {
    expect(table.countsPerTask()).toEqual([2, 2, 1]);
    expect(table.labelsPerRow()).toEqual({ '1': 1, '2': 2 });
    expect(table.isLabelled(1, 'normal')).toBe(true);
    expect(table.row(0)).toEqual([true, false, false]);
  });

  it('selects rows and checks against a data set', () => {
    const sub = table.select([2, 0]);
    expect(sub.row(0)).toEqual([true, true, false]);
    expect(() => table.assertMatches(4, ['a', 'b', 'c'], 'nyu.pth')).toThrow(
      /nyu.pth: has 3 rows but the data set has 4/,
    );
    expect(() => table.assertMatches(3, ['a', 'b'])).toThrow(/3 task columns but the data set has 2 tasks/);
    expect(() => table.isLabelled(0, 'edges')).toThrow(/unknown task 'edges'/);
  });
});

describe('task specs', () => {
  it('defaults losses and validates fields', () => {
    expect(nyuv2Tasks.map(lossKindOf)).toEqual(['cross-entropy', 'l1', 'cosine']);
    expect(() => defineTask({ name: 'n', kind: 'normals', channels: 2 })).toThrow(/normals have 3 channels/);
    expect(() => defineTask({ name: 'x', kind: 'bogus' as never, channels: 2 })).toThrow(
      /unknown kind 'bogus'/,
    );
    expect(() =>
      defineTasks([
        { name: 'a', kind: 'depth', channels: 1 },
        { name: 'a', kind: 'depth', channels: 1 },
      ]),
    ).toThrow(/duplicate task name 'a'/);
  });
});
