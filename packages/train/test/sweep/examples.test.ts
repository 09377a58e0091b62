// The example grids plan through the train config schema: the NYU-v2 table's shape (3 methods × 2 label
// settings × 3 seeds) and the tiny synthetic sweep (3 × 2 × 2), with Δm against `none`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSweepCommand } from '../../src/sweep/command.js';
import { readPlan } from '../../src/sweep/plan.js';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'examples');
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function planExample(name: string) {
  const runs = mkdtempSync(join(tmpdir(), 'sweep-example-'));
  directories.push(runs);
  const output: string[] = [];
  const sink = { write: (chunk: string) => output.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  const code = await runSweepCommand(['plan', join(examples, name, 'grid.yaml'), '--out', runs], {
    stdout: sink,
    stderr: sink,
  });
  expect(output.join(''), output.join('')).toContain('planned');
  expect(code).toBe(0);
  return { runs, plan: readPlan(runs) };
}

describe('example grids', () => {
  it('sweep-nyuv2-table: none/pairwise/jtr × onelabel/randomlabels × 3 seeds', async () => {
    const { runs, plan } = await planExample('sweep-nyuv2-table');
    expect(plan.entries).toHaveLength(18);
    expect(plan.axes.map((axis) => [axis.name, axis.values])).toEqual([
      ['seed', ['0', '1', '2']],
      ['method', ['none', 'pairwise', 'jtr']],
      ['labels', ['onelabel', 'randomlabels']],
    ]);
    expect(plan.baseline).toEqual({ axis: 'method', value: 'none' });
    const last = JSON.parse(readFileSync(join(runs, '0017', 'config.json'), 'utf8'));
    expect(last).toMatchObject({
      seed: 2,
      regularizer: { name: 'jtr' },
      split: { scenario: 'randomlabels' },
    });
  });

  it('sweep-synthetic-tiny: 12 small runs', async () => {
    const { runs, plan } = await planExample('sweep-synthetic-tiny');
    expect(plan.entries).toHaveLength(12);
    const config = JSON.parse(readFileSync(join(runs, '0004', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      seed: 0,
      dataset: { name: 'synthetic-scenes' },
      regularizer: { name: 'jtr', options: { widthMultiplier: 0.0625 } },
      split: { scenario: 'onelabel' },
    });
    expect(config.training.maxSteps).toBeLessThanOrEqual(20);
  });
});
