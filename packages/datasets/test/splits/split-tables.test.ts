import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMaskTable } from '@partial-mtl/core';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSplitTable, splitTableFormatOf } from '../../src/splits/load-split-table.js';
import { parseSplitTableCsv, splitTableToCsv } from '../../src/splits/split-table-csv.js';
import { parseSplitTableJson, splitTableToJson } from '../../src/splits/split-table-json.js';
import { legacyTorchFile, tensorDictPickle } from '../formats/pickle-bytes.js';
import { sharedFolder } from '../shared-folder.js';

const folder = mkdtempSync(join(tmpdir(), 'split-tables-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const fixture = (name: string): string => join(sharedFolder(), 'fixtures', 'partial-labels', name);

/** Rows per labelled-task pattern, e.g. { S: 129, SD: 148 } with letters from the task names. */
function patterns(table: LabelMaskTable, letters: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (let r = 0; r < table.rows; r++) {
    const key = table
      .row(r)
      .map((on, t) => (on ? letters[t] : ''))
      .join('');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('real MTPSL/JTR split tables', () => {
  it('nyuv2_onelabel.pth: 795×3, 265 per task, one label per row', async () => {
    const table = await loadSplitTable(fixture('nyuv2_onelabel.pth'), {
      taskNames: ['semseg', 'depth', 'normal'],
    });
    expect([table.rows, table.taskCount]).toEqual([795, 3]);
    expect(table.taskNames).toEqual(['semseg', 'depth', 'normal']);
    expect(table.countsPerTask()).toEqual([265, 265, 265]);
    expect(table.labelsPerRow()).toEqual({ '1': 795 });
  });

  it('nyuv2_randomlabels.pth: 392/408/385 per task, 405 single and 390 double rows, spec patterns', async () => {
    const table = await loadSplitTable(fixture('nyuv2_randomlabels.pth'));
    expect(table.taskNames).toEqual(['task0', 'task1', 'task2']);
    expect(table.countsPerTask()).toEqual([392, 408, 385]);
    expect(table.labelsPerRow()).toEqual({ '1': 405, '2': 390 });
    expect(patterns(table, 'SDN')).toEqual({ S: 129, D: 133, N: 143, SD: 148, SN: 115, DN: 127 });
  });

  it('cityscapes_onelabel.pth: 2975×2 with 1487/1488', async () => {
    const table = await loadSplitTable(fixture('cityscapes_onelabel.pth'), { expectedRows: 2975 });
    expect([table.rows, table.taskCount]).toEqual([2975, 2]);
    expect(table.countsPerTask()).toEqual([1487, 1488]);
  });

  it('rejects a table whose row count differs from the data set, naming the file', async () => {
    await expect(loadSplitTable(fixture('nyuv2_onelabel.pth'), { expectedRows: 654 })).rejects.toThrow(
      /nyuv2_onelabel\.pth: split table has 795 rows but the data set has 654 samples/,
    );
    await expect(
      loadSplitTable(fixture('nyuv2_onelabel.pth'), { taskNames: ['semseg', 'depth'] }),
    ).rejects.toThrow(/nyuv2_onelabel\.pth: split table has 3 task columns but 2 task names/);
  });
});

describe('split-table formats', () => {
  const table = LabelMaskTable.fromRows(
    ['semseg', 'depth'],
    [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
  );

  it('round-trips JSON and CSV with task names', () => {
    expect(Array.from(parseSplitTableJson(splitTableToJson(table)).flags)).toEqual([1, 0, 0, 1, 1, 1]);
    const csv = splitTableToCsv(table);
    expect(csv).toBe('semseg,depth\n1,0\n0,1\n1,1\n');
    const back = parseSplitTableCsv(csv);
    expect(back.taskNames).toEqual(['semseg', 'depth']);
    expect(Array.from(back.flags)).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('reads JSON variants and header-less CSV with 1.0/0.0 values', () => {
    expect(parseSplitTableJson('{"labels_weights": [[1.0, 0.0]]}').countsPerTask()).toEqual([1, 0]);
    expect(parseSplitTableJson('[[true, false], [false, true]]', 'x', ['a', 'b']).taskNames).toEqual([
      'a',
      'b',
    ]);
    const csv = parseSplitTableCsv('1.0,0.0\r\n0.0,1.0\r\n');
    expect(csv.taskNames).toEqual(['task0', 'task1']);
    expect(csv.countsPerTask()).toEqual([1, 1]);
  });

  it('rejects values other than 0/1 and ragged rows, naming the file and place', () => {
    expect(() => parseSplitTableCsv('a,b\n1,0\n0,2\n', 't.csv')).toThrow(
      /t\.csv: line 3, column 2: expected 0 or 1, got '2'/,
    );
    expect(() => parseSplitTableCsv('a,b\n1\n', 't.csv')).toThrow(/t\.csv: line 2 has 1 columns, expected 2/);
    expect(() => parseSplitTableJson('{"rows": [[1, 0.5]]}', 't.json')).toThrow(
      /t\.json: split table row 0, column 1: expected 0 or 1, got 0\.5/,
    );
    expect(() => parseSplitTableJson('{"rows": [[1, 0], [1]]}', 't.json')).toThrow(
      /t\.json: row 1 has 1 entries, expected 2/,
    );
    expect(() => parseSplitTableJson('{"rows": ', 't.json')).toThrow(/t\.json: invalid JSON/);
  });

  it('dispatches on extension and on magic bytes', async () => {
    const values = new Float32Array([1, 0, 0, 1]);
    const legacy = legacyTorchFile('FloatStorage', 2, 2, new Uint8Array(values.buffer));
    const zip = zipSync({
      'split/data.pkl': tensorDictPickle('FloatStorage', '0', 2, 2),
      'split/data/0': new Uint8Array(values.buffer),
    });
    const files: Array<[string, Uint8Array | string]> = [
      ['legacy.bin', legacy],
      ['zip.bin', zip],
      ['table.txt', '{"rows": [[1,0],[0,1]]}'],
      ['table.dat', '1,0\n0,1\n'],
      ['table.csv', 'a,b\n1,0\n0,1\n'],
    ];
    for (const [name, content] of files) {
      const path = join(folder, name);
      writeFileSync(path, content);
      const loaded = await loadSplitTable(path);
      expect(Array.from(loaded.flags), name).toEqual([1, 0, 0, 1]);
    }
    expect(splitTableFormatOf('x.pt', new Uint8Array())).toBe('pth');
    await expect(loadSplitTable(join(folder, 'absent.pth'))).rejects.toThrow(
      /absent\.pth: split table not found/,
    );
  });
});
