import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { findBenchScript } from '../src/commands/bench-command.js';
import { runTraining } from '../src/training-loop.js';
import { disposeComponents, tinyComponents } from './fixtures/tiny-components.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    context: { print: (text: string) => out.push(text), error: (text: string) => err.push(text) },
    out,
    err,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('partial-mtl CLI', () => {
  it('prints --help for every command and for the program', async () => {
    for (const command of ['train', 'eval', 'report', 'bench', 'demo', 'splits']) {
      const { context, out } = capture();
      expect(await main([command, '--help'], context)).toBe(0);
      expect(out.join('\n')).toMatch(new RegExp(`^Usage: partial-mtl ${command}`));
    }
    for (const command of ['plan', 'run', 'sweep', 'collect']) {
      const { context, out } = capture();
      expect(await main([command, '--help'], context)).toBe(0);
      expect(out.join('\n').length).toBeGreaterThan(20);
    }
    const { context, out } = capture();
    expect(await main(['--help'], context)).toBe(0);
    expect(out.join('\n')).toMatch(/Commands:\n\s+train/);
  });

  it('rejects unknown commands and options with status 2 and the usage', async () => {
    const unknown = capture();
    expect(await main(['fly'], unknown.context)).toBe(2);
    expect(unknown.err.join('\n')).toMatch(/unknown command 'fly'/);
    const badOption = capture();
    expect(await main(['train', '--confg', 'x.json'], badOption.context)).toBe(2);
    expect(badOption.err.join('\n')).toMatch(/Unknown option '--confg'[\s\S]*Usage: partial-mtl train/);
    const missing = capture();
    expect(await main(['train'], missing.context)).toBe(2);
    expect(missing.err.join('\n')).toMatch(/--config FILE or --resume DIR is required/);
  });

  it('shows a split table as text and as one JSON object', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'splits-'));
    const file = join(directory, 'onelabel.json');
    const rows = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 1, 0],
      [1, 0, 0],
    ];
    writeFileSync(file, JSON.stringify({ taskNames: ['semseg', 'depth', 'normal'], rows }));
    const json = capture();
    expect(await main(['splits', 'show', file, '--json'], json.context)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toEqual({
      rows: 5,
      tasks: 3,
      perTask: [
        { task: 'semseg', labelled: 3 },
        { task: 'depth', labelled: 2 },
        { task: 'normal', labelled: 1 },
      ],
      labelsPerRow: { '1': 4, '2': 1 },
    });
    const text = capture();
    expect(await main(['splits', 'show', file], text.context)).toBe(0);
    expect(text.out.join('\n')).toMatch(
      /5 rows × 3 tasks[\s\S]*semseg\s+3\s+\(60\.0%\)[\s\S]*2 labels\s+1 rows/,
    );
    const missing = capture();
    expect(await main(['splits', 'show', join(directory, 'nope.pth')], missing.context)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/nope\.pth: split table not found/);
  });

  it('writes a report for a run directory', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const components = tinyComponents();
    await runTraining(components, { outDir, epochs: 2, progress: 'none', log: () => {} });
    disposeComponents(components);
    const { context, out } = capture();
    expect(await main(['report', outDir], context)).toBe(0);
    expect(out[0]).toBe(join(outDir, 'report.html'));
    expect(readFileSync(out[0]!, 'utf8')).toMatch(
      /<h2>Final results<\/h2>[\s\S]*best \(step \d+\)[\s\S]*<svg/,
    );
  });

  it('finds the repository bench dispatcher only when it exists', () => {
    const directory = mkdtempSync(join(tmpdir(), 'bench-'));
    expect(findBenchScript(directory)).toBeUndefined();
  });

  it('trains from a config and evaluates the best checkpoint with eval --json', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'eval-cli-'));
    const outDir = join(directory, 'run');
    const config = join(directory, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        seed: 1,
        outDir,
        dataset: { name: 'synthetic-affect', options: { size: 16, trainCount: 8, validationCount: 4 } },
        split: { scenario: 'onelabel' },
        model: { backbone: 'small-cnn', widthMultiplier: 0.25 },
        data: { batchSize: 4 },
        training: { epochs: 1 },
      }),
    );
    const trained = capture();
    expect(
      await main(['train', '--config', config, '--backend', 'cpu', '--progress', 'none'], trained.context),
    ).toBe(0);
    expect(JSON.parse(trained.out.at(-1)!)).toMatchObject({ outDir, stopReason: 'completed', step: 2 });
    const evaluated = capture();
    expect(await main(['eval', '--run', outDir, '--json', '--backend', 'cpu'], evaluated.context)).toBe(0);
    const result = JSON.parse(evaluated.out.join(''));
    expect(result).toMatchObject({ checkpoint: 'best', step: 2 });
    expect(Object.keys(result.metrics)).toEqual(['expression', 'actionUnits']);
    const table = capture();
    expect(
      await main(['eval', '--run', outDir, '--checkpoint', 'last', '--backend', 'cpu'], table.context),
    ).toBe(0);
    expect(table.out.join('\n')).toMatch(/last \(step 2\)/);
  });

  it("reports a network that cannot take the data set's images before training", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'size-cli-'));
    const config = join(directory, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        outDir: join(directory, 'run'),
        dataset: {
          name: 'synthetic-scenes',
          options: { height: 16, width: 16, trainCount: 4, validationCount: 2 },
        },
        training: { maxSteps: 1 },
      }),
    );
    const failed = capture();
    expect(await main(['train', '--config', config, '--backend', 'cpu'], failed.context)).toBe(1);
    expect(failed.err.join('\n')).toMatch(
      /model: the segnet network cannot take the data set's 16×16 images/,
    );
  });
});
