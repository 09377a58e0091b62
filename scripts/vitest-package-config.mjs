// The test settings every package and example shares (each vitest.config.ts is one call of this): tests under
// test/, one forked process per file, generous timeouts for the training tests on two cores, and a temporary
// directory per run that is removed afterwards (vitest-temp-dir.mjs).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** @param {{ testTimeout?: number }} [options] */
export function packageTestConfig(options = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      globalSetup: [fileURLToPath(new URL('./vitest-temp-dir.mjs', import.meta.url))],
    },
  });
}
