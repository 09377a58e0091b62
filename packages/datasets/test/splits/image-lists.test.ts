import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseObjectNpy } from '../../src/formats/npy-object.js';
import { loadSplitTable } from '../../src/splits/load-split-table.js';
import {
  readSplitTableImageLists,
  splitTableFromImageLists,
} from '../../src/splits/split-table-image-lists.js';

const folder = mkdtempSync(join(tmpdir(), 'image-lists-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g)!, (byte) => Number.parseInt(byte, 16));
const header =
  '934e554d5059010076007b276465736372273a20277c4f272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d' +
  '2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a';
// np.save('x.npy', {'semseg': ['2008_000001', '2008_000002'], 'normals': ['2008_000002']}, allow_pickle=True), numpy 2.4 (protocol 4)
const numpy2 = hex(
  header +
    '800495c2000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b012968038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d947d94288c0673656d736567945d94288c0b323030385f303030303031948c0b323030385f30303030303294658c076e6f726d616c73945d9468166175617494622e',
);
// the same array pickled with protocol 2 and numpy 1.x module names (GLOBAL numpy.core.multiarray, _codecs.encode)
const numpy1 = hex(
  header +
    '8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b0129636e756d70790a64747970650a710a58020000004f38710b898887710c52710d284b0358010000007c710e4e4e4e4affffffff4affffffff4b3f74710f62895d71107d711128580600000073656d73656771125d711328580b000000323030385f3030303030317114580b000000323030385f30303030303271156558070000006e6f726d616c7371165d71176815617561747118622e',
);

describe('PASCAL-Context image-list splits (object .npy)', () => {
  it('decodes numpy 2 (protocol 4) and numpy 1 (protocol 2) object arrays to the same dict', () => {
    for (const bytes of [numpy2, numpy1]) {
      const value = parseObjectNpy(bytes, 'pascal.npy') as Map<string, string[]>;
      expect([...value.entries()]).toEqual([
        ['semseg', ['2008_000001', '2008_000002']],
        ['normals', ['2008_000002']],
      ]);
    }
  });

  it('builds a table with rows = sorted union of ids, or a given id order', async () => {
    const path = join(folder, 'onelabel.npy');
    writeFileSync(path, numpy2);
    const { table, imageIds } = await readSplitTableImageLists(path);
    expect(imageIds).toEqual(['2008_000001', '2008_000002']);
    expect(table.taskNames).toEqual(['semseg', 'normals']);
    expect(Array.from(table.flags)).toEqual([1, 0, 1, 1]);
    const ordered = await loadSplitTable(path, {
      imageIds: ['2008_000002', '2008_000003', '2008_000001'],
      taskNames: ['normals', 'semseg'],
    });
    expect(Array.from(ordered.flags)).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it('rejects ids outside imageIds, wrong task names and non-object arrays', () => {
    const lists = new Map([['semseg', ['a', 'b']]]);
    expect(() => splitTableFromImageLists(lists, 'p.npy', { imageIds: ['a'] })).toThrow(
      /p\.npy: task 'semseg' lists image 'b', which is not in imageIds/,
    );
    expect(() => splitTableFromImageLists(lists, 'p.npy', { taskNames: ['edge'] })).toThrow(
      /tasks in the file are semseg, but edge were given/,
    );
    const numeric = new Uint8Array(numpy2.length);
    numeric.set(numpy2);
    numeric.set(new TextEncoder().encode("'<f4'"), 21);
    expect(() => parseObjectNpy(numeric, 'f.npy')).toThrow(/f\.npy: expected an object array/);
  });

  it('refuses other globals inside the object pickle', () => {
    const evil = new Uint8Array([
      ...numpy1.subarray(0, 128),
      0x80,
      0x02,
      ...new TextEncoder().encode('cos\nsystem\n.'),
    ]);
    expect(() => parseObjectNpy(evil, 'evil.npy')).toThrow(
      /evil\.npy: pickle byte 130: global 'os\.system' is not allowed/,
    );
  });
});
