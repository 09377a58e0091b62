// Collecting without running anything: hand-written result.json and status.json files, hand-computed means,
// sample stds and Δm (via @partial-mtl/metrics when it defines every metric, else the local formula).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectResults, formatCsv, formatMarkdown } from '../../src/sweep/collect.js';
import { parseGrid } from '../../src/sweep/grid.js';
import { writePlan } from '../../src/sweep/plan.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** Plans seeds [0, 1] × method none/jtr × labels a/b (8 entries) with the given report metrics. */
function planRuns(metrics: Record<string, unknown>[]): string {
  const runs = mkdtempSync(join(tmpdir(), 'sweep-collect-'));
  directories.push(runs);
  const grid = parseGrid(
    {
      name: 'collect',
      axes: {
        method: { none: { bonus: 0 }, jtr: { bonus: 1 } },
        labels: { key: 'labels', values: ['a', 'b,c'] },
      },
      seeds: [0, 1],
      baseline: 'none',
      report: { metrics },
    },
    '.',
  );
  writePlan(runs, grid);
  return runs;
}

function writeResult(runs: string, id: string, metrics: Record<string, Record<string, number>>): void {
  writeFileSync(join(runs, id, 'result.json'), JSON.stringify({ step: 10, metrics }));
}

describe('collectResults', () => {
  it('takes directions from @partial-mtl/metrics, uses jtrDelta, and marks failed and missing entries', () => {
    const runs = planRuns([
      { name: 'mIoU', path: 'metrics.semseg.mIoU', scale: 100, digits: 2 },
      { name: 'absErr', path: 'metrics.depth.absErr' },
    ]);
    // Entries: 0 s0 none a, 1 s0 none b, 2 s0 jtr a, 3 s0 jtr b, 4 s1 none a, 5 s1 none b, 6 s1 jtr a, 7 s1 jtr b.
    writeResult(runs, '0000', { semseg: { mIoU: 0.2 }, depth: { absErr: 0.6 } });
    writeResult(runs, '0004', { semseg: { mIoU: 0.3 }, depth: { absErr: 0.4 } });
    writeResult(runs, '0002', { semseg: { mIoU: 0.3 }, depth: { absErr: 0.4 } });
    writeResult(runs, '0006', { semseg: { mIoU: 0.35 }, depth: { absErr: 0.45 } });
    writeResult(runs, '0001', { semseg: { mIoU: 0.5 }, depth: { absErr: 1 } });
    writeFileSync(
      join(runs, '0003', 'status.json'),
      JSON.stringify({ state: 'failed', attempt: 2, reason: 'exit code 1' }),
    );
    const table = collectResults(runs);
    expect(table.deltaMethod).toBe('jtrDelta');
    expect(table.metrics.map((metric) => [metric.task, metric.higherIsBetter])).toEqual([
      ['semseg', true],
      ['depth', false],
    ]);
    const row = (method: string, labels: string) =>
      table.rows.find(
        (candidate) =>
          candidate.coordinates['method'] === method && candidate.coordinates['labels'] === labels,
      )!;
    // Baseline none/a: mIoU mean 0.25, absErr mean 0.5.
    expect(row('none', 'a').metrics['mIoU']!.mean).toBeCloseTo(0.25, 12);
    expect(row('none', 'a').metrics['mIoU']!.std).toBeCloseTo(Math.sqrt(0.005), 12);
    const seed0 = ((0.3 - 0.25) / 0.25 + (0.5 - 0.4) / 0.5) / 2;
    const seed1 = ((0.35 - 0.25) / 0.25 + (0.5 - 0.45) / 0.5) / 2;
    expect(row('jtr', 'a').deltaM!.mean).toBeCloseTo((seed0 + seed1) / 2, 12);
    expect(row('jtr', 'a').deltaM!.std).toBeCloseTo(Math.abs(seed0 - seed1) / Math.sqrt(2), 12);
    expect(row('none', 'a').deltaM!.mean).toBeCloseTo(0, 12);
    expect(row('jtr', 'b,c')).toMatchObject({ done: 0, total: 2, failed: 1, deltaM: undefined });

    const markdown = formatMarkdown(table);
    expect(markdown).toContain('| method | labels | runs | mIoU | absErr | Δm % (vs none) |');
    expect(markdown).toContain(
      `| jtr | a | 2/2 | 32.50 ± 3.54 | 0.4250 ± 0.0354 | +${(50 * (seed0 + seed1)).toFixed(2)} ± `,
    );
    expect(markdown).toContain('| jtr | b,c | 0/2 (1 failed) | – | – | – |');
    expect(markdown).toContain('| none | a | 2/2 | 25.00 ± 7.07 | 0.5000 ± 0.1414 | +0.00 ± 28.28 |');
    expect(markdown).toContain('- 0003 seed=0,method=jtr,labels=b,c: failed (exit code 1), 2 attempt(s)');
    expect(markdown).toContain('- 0007 seed=1,method=jtr,labels=b,c: missing');
    expect(markdown).toContain('@partial-mtl/metrics jtrDelta');
    // Paired by seed against none/a: mIoU +0.10, +0.05; absErr −0.20 (better), +0.05 (worse).
    expect(table.paired.map((paired) => paired.coordinates)).toEqual([{ method: 'jtr', labels: 'a' }]);
    const mIoU = table.paired[0]!.metrics['mIoU']!;
    expect(mIoU.differences.map((item) => [item.seed, item.difference])).toEqual([
      ['0', expect.closeTo(0.1, 12)],
      ['1', expect.closeTo(0.05, 12)],
    ]);
    expect(mIoU).toMatchObject({ ahead: 2, t: expect.closeTo(3, 9) });
    expect(table.paired[0]!.metrics['absErr']).toMatchObject({ ahead: 1, t: expect.closeTo(-0.6, 9) });
    expect(markdown).toContain('Paired against method=none with the same seed');
    expect(markdown).toContain('| jtr | a | mIoU | +10.00 +5.00 | +7.50 ± 3.54 | 2/2 | 3.00 |');
    expect(markdown).toContain('| jtr | a | absErr | -0.2000 +0.0500 | -0.0750 ± 0.1768 | 1/2 | -0.60 |');
    const csv = formatCsv(table).split('\n');
    expect(csv[0]).toBe(
      'method,labels,done,total,failed,mIoU_mean,mIoU_std,absErr_mean,absErr_std,deltaM_mean,deltaM_std',
    );
    expect(csv.find((line) => line.startsWith('jtr,"b,c"'))).toBe('jtr,"b,c",0,2,1,,,,,,');
  });

  it('averages several metrics of one task with libmtlDeltaP', () => {
    const runs = planRuns([
      { path: 'metrics.semseg.mIoU' },
      { path: 'metrics.semseg.pixAcc' },
      { path: 'metrics.depth.absErr' },
    ]);
    writeResult(runs, '0000', { semseg: { mIoU: 0.2, pixAcc: 0.5 }, depth: { absErr: 0.5 } });
    writeResult(runs, '0002', { semseg: { mIoU: 0.3, pixAcc: 0.5 }, depth: { absErr: 0.25 } });
    const table = collectResults(runs);
    expect(table.deltaMethod).toBe('libmtlDeltaP');
    const jtr = table.entries.find((entry) => entry.id === '0002')!;
    expect(jtr.deltaM).toBeCloseTo(((0.5 + 0) / 2 + 0.5) / 2, 12);
  });

  it('falls back to the local formula for metrics the package does not define, and needs a direction', () => {
    const runs = planRuns([{ name: 'score', path: 'metrics.custom.score', higherIsBetter: true }]);
    writeResult(runs, '0000', { custom: { score: 2 } });
    writeResult(runs, '0002', { custom: { score: 3 } });
    const table = collectResults(runs);
    expect(table.deltaMethod).toBe('local');
    expect(table.entries.find((entry) => entry.id === '0002')!.deltaM).toBeCloseTo(0.5, 12);

    const undirected = planRuns([{ name: 'score', path: 'metrics.custom.score' }]);
    writeResult(undirected, '0000', { custom: { score: 2 } });
    const plain = collectResults(undirected);
    expect(plain.deltaMethod).toBeUndefined();
    expect(formatMarkdown(plain)).not.toContain('Δm');
  });

  it('shows every numeric leaf when the grid declares no report metrics', () => {
    const runs = planRuns([]);
    writeResult(runs, '0000', { semseg: { mIoU: 0.2 } });
    const table = collectResults(runs);
    expect(table.metrics.map((metric) => metric.name)).toEqual(['step', 'metrics.semseg.mIoU']);
    expect(table.deltaMethod).toBeUndefined();
  });
});
