#!/usr/bin/env node
// `pnpm bench <name> [flags]`: builds the workspace (turbo, errors only), then runs the named benchmark with the
// remaining flags. Add a benchmark by adding a line to the table below.
import { spawnSync } from 'node:child_process';

/** Benchmark name → command (run from the repository root). */
const benchmarks = {
  step: ['node', 'benchmarks/dist/step.js'],
  regularizers: ['node', 'packages/regularizers/bench/regularizers.mjs'],
};

const root = new URL('..', import.meta.url).pathname;
const [name, ...flags] = process.argv.slice(2);
const command = name ? benchmarks[name] : undefined;
if (!command) {
  console.error(`usage: pnpm bench <name> [flags]; benchmarks: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(command[0], [...command.slice(1), ...flags], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
