#!/usr/bin/env node
// Publishing check: packs every package as it would be published (`pnpm pack`, which rewrites workspace:
// ranges), runs publint on each tarball's package, then installs only the @partial-mtl/core and
// @partial-mtl/metrics tarballs (plus @tensorflow/tfjs from the registry) into an empty folder with npm and
// imports them, proving a user can install just the packages they need. Expects a prior build.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packDir = join(root, '.pack');
rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir);
const pnpm = ['-y', 'pnpm@10.34.9'];
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const packages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);
const tarballs = {};
for (const name of packages) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  run('npx', [...pnpm, 'pack', '--pack-destination', packDir], dir);
  const file = readdirSync(packDir).find((f) => f.startsWith(`partial-mtl-${name}-`) && f.endsWith('.tgz'));
  if (!file) throw new Error(`check-publish: no tarball for ${manifest.name}`);
  tarballs[name] = join(packDir, file);
  const lint = run('npx', ['publint', '--strict', dir], root);
  console.log(`publint ${manifest.name}: ${lint.trim().split('\n').pop()}`);
}
console.log(`packed ${Object.keys(tarballs).length} packages into .pack/`);

const app = mkdtempSync(join(tmpdir(), 'pmtl-install-'));
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    tarballs.core,
    tarballs.metrics,
    '@tensorflow/tfjs@4.22.0',
  ],
  app,
);
const installed = readdirSync(join(app, 'node_modules', '@partial-mtl')).sort();
if (installed.join(',') !== 'core,metrics') {
  throw new Error(`check-publish: expected only core and metrics installed, found ${installed.join(', ')}`);
}
writeFileSync(
  join(app, 'check.mjs'),
  `import * as core from '@partial-mtl/core';
import * as metrics from '@partial-mtl/metrics';
const table = core.LabelMaskTable.fromRows(['semseg', 'depth'], [[1, 0], [0, 1]]);
if (table.countsPerTask().join() !== '1,1') throw new Error('core import broken');
if (Object.keys(metrics).length === 0) throw new Error('metrics exports nothing');
console.log('installed alone and imported: @partial-mtl/core (' + Object.keys(core).length + ' exports), @partial-mtl/metrics (' + Object.keys(metrics).length + ' exports)');
`,
);
console.log(run('node', ['check.mjs'], app).trim());
rmSync(app, { recursive: true, force: true });
