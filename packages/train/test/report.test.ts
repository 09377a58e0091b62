// report.html from a tiny run: SVG and PNG plots rendered with vega/resvg, and the page opens in headless
// Chromium (Debian's `chromium` package) without console messages; a page with a failing script is the control.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/write-report.js';
import { runTraining } from '../src/training-loop.js';
import { disposeComponents, tinyComponents } from './fixtures/tiny-components.js';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Opens a file in headless Chromium; returns the DOM and the console lines it logged. */
function openInChromium(path: string): { dom: string; consoleLines: string[] } {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const result = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      '--dump-dom',
      `file://${path}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error)
    throw new Error(
      `could not start ${chromium} (install Debian's 'chromium' package): ${result.error.message}`,
    );
  const consoleLines = result.stderr
    .split('\n')
    .filter((line) => /:CONSOLE[:(]/.test(line) || /Uncaught/.test(line));
  return { dom: result.stdout, consoleLines };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('report', () => {
  it('renders loss and metric plots as SVG and PNG and opens in headless Chromium without console errors', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'report-'));
    const components = tinyComponents();
    const result = await runTraining(components, { outDir, epochs: 3, progress: 'none', log: () => {} });
    disposeComponents(components);
    const path = await writeReport(outDir, {
      title: 'tiny <run> & report',
      rows: [{ name: 'last', metrics: result.lastMetrics!, deltaM: 1.5 }],
      runs: [{ name: 'tiny', outDir }],
      notes: ['backend: cpu'],
    });
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('<title>tiny &lt;run&gt; &amp; report</title>');
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).toMatch(/depth absErr/);
    expect(html).not.toMatch(/<script/);
    const plots = readdirSync(join(outDir, 'plots')).sort();
    expect(plots).toEqual(['tiny-loss.png', 'tiny-loss.svg', 'tiny-metrics.png', 'tiny-metrics.svg']);
    const png = readFileSync(join(outDir, 'plots', 'tiny-loss.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5_000);
    expect(readFileSync(join(outDir, 'plots', 'tiny-loss.svg'), 'utf8')).toMatch(/supervised\/depth/);

    const opened = openInChromium(path);
    expect(opened.dom).toMatch(/<h1>tiny &lt;run&gt; &amp; report<\/h1>/);
    expect(opened.consoleLines).toEqual([]);

    const control = join(outDir, 'control.html');
    writeFileSync(
      control,
      '<!doctype html><title>x</title><script>throw new Error("control failure")</script>',
    );
    expect(openInChromium(control).consoleLines.join('\n')).toMatch(/control failure/);
    expect(existsSync(path)).toBe(true);
  }, 120_000);
});
