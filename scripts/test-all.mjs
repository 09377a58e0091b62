#!/usr/bin/env node
// Runs every package's tests through turbo (cached per package), then prints the totals over all packages
// as one line `N passed, N failed`. Exits non-zero when turbo failed, a test failed, or a package left no results.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extra = process.argv.slice(2);
const groups = ['packages', 'examples', 'benchmarks'];

function testedFolders() {
  const folders = [];
  for (const group of groups) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    const candidates = existsSync(join(dir, 'package.json'))
      ? [dir]
      : readdirSync(dir).map((name) => join(dir, name));
    for (const folder of candidates) {
      const pkgFile = join(folder, 'package.json');
      if (!existsSync(pkgFile)) continue;
      if (JSON.parse(readFileSync(pkgFile, 'utf8')).scripts?.test) folders.push(folder);
    }
  }
  return folders;
}

// Stale results must not count: turbo restores this file for cache hits, and a crashed run leaves none.
for (const folder of testedFolders()) rmSync(join(folder, 'test-results.json'), { force: true });
// `pnpm exec` and npx put a relative `./node_modules/.bin` on PATH; turbo would then resolve the package manager
// relative to each package folder and fail to spawn it. Make every PATH entry absolute first.
const path = [join(root, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter)]
  .map((entry) => (entry && !isAbsolute(entry) ? resolve(root, entry) : entry))
  .join(delimiter);
// Two tasks at a time: the machines this runs on have two cores, and test suites time out when oversubscribed.
const turbo = spawnSync(
  join(root, 'node_modules', '.bin', 'turbo'),
  ['run', 'test', '--continue', '--concurrency=2', ...extra],
  { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: path } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const folder of testedFolders()) {
  const name = folder.slice(root.length);
  const results = join(folder, 'test-results.json');
  if (!existsSync(results)) {
    missing.push(name);
    continue;
  }
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
// With a --filter only some packages run; without one, a package that left no results crashed.
const filtered = extra.some((arg) => arg.startsWith('--filter'));
if (!filtered) {
  for (const name of missing) console.log(`${name}: no test results (its test run crashed before reporting)`);
  failed += missing.length;
}
const skippedText = skipped > 0 ? `, ${skipped} skipped` : '';
console.log(`${passed} passed, ${failed} failed${skippedText}`);
process.exit(turbo.status !== 0 || failed > 0 ? 1 : 0);
