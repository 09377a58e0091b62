// The `partial-mtl` dispatcher (src/cli.ts) routes plan, run, sweep and collect to the sweep commands, with the
// dispatcher's print/error channels; the main help lists them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { writeTinyGrid } from './tiny-grid.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function context() {
  const printed: string[] = [];
  const errors: string[] = [];
  return {
    printed,
    errors,
    print: (text: string) => printed.push(text),
    error: (text: string) => errors.push(text),
  };
}

describe('partial-mtl dispatcher', () => {
  it('plans, emits and collects through main()', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sweep-dispatch-'));
    directories.push(root);
    const runs = join(root, 'runs');
    const planned = context();
    expect(
      await main(['plan', writeTinyGrid(root), '--raw', '--out', runs, '--emit', 'slurm'], planned),
    ).toBe(0);
    expect(planned.printed).toEqual([
      `planned 6 entries into ${join(runs, 'plan.json')}`,
      `wrote ${join(runs, 'sweep.sbatch')}`,
    ]);
    expect(readFileSync(join(runs, 'sweep.sbatch'), 'utf8')).toContain('#SBATCH --array=0-5');

    const collected = context();
    expect(await main(['collect', runs], collected)).toBe(0);
    expect(collected.printed).toContain('Not finished (6 of 6):');

    const usage = context();
    expect(await main(['run', runs], usage)).toBe(2);
    expect(usage.errors[0]).toBe(
      'partial-mtl run: run needs --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX',
    );
  });

  it('lists the sweep commands in the main help', async () => {
    const help = context();
    expect(await main(['--help'], help)).toBe(0);
    for (const name of ['plan', 'run', 'sweep', 'collect'])
      expect(help.printed.join('\n')).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});
