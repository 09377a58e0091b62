#!/usr/bin/env node
// `pnpm bench <name> [flags]`: builds what the benchmark needs (turbo, errors only), then runs it with the remaining
// flags from the repository root. Add a benchmark by adding an entry to the table below: `build` is the turbo
// filter of the package whose dependencies must be built (its `...` closure), `command` what to run.
import { spawnSync } from 'node:child_process';

/** Benchmark name → turbo build filter and command. */
const benchmarks = {
  step: { build: '@partial-mtl/benchmarks', command: ['node', 'benchmarks/dist/step.js'] },
  regularizers: { build: '@partial-mtl/regularizers', command: ['node', 'packages/regularizers/bench/regularizers.mjs'] },
};

const root = new URL('..', import.meta.url).pathname;
const [name, ...flags] = process.argv.slice(2);
const entry = name ? benchmarks[name] : undefined;
if (!entry) {
  console.error(`usage: pnpm bench <name> [flags]; benchmarks: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
const filter = entry.build ? [`--filter=${entry.build}...`] : [];
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...filter], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const [program, ...args] = entry.command;
const run = spawnSync(program, [...args, ...flags], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
