#!/usr/bin/env node
import { selectBackend } from '@partial-mtl/core';
// `node dist/cli.js [--flag value ...]`: runs the Fashion-MNIST case study on the default TensorFlow.js backend
// (core's selectBackend; PARTIAL_MTL_BACKEND overrides it) and prints the table and the final JSON line.
import * as tf from '@tensorflow/tfjs';
import { ensureConvolutionFilterGradient } from './conv-filter-gradient.js';
import { runStudy } from './study.js';
import { describeFlags, parseStudyArguments } from './study-options.js';

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `Fashion-MNIST case study: STL vs MTL vs MTL + distribution matching.\nFlags (default in <>):\n${describeFlags()}`,
    );
    return;
  }
  const options = parseStudyArguments(argv);
  const started = performance.now();
  const backend = await selectBackend();
  console.log(backend.report.split('\n')[0]);
  if (ensureConvolutionFilterGradient()) {
    console.log(
      `note: backend ${tf.getBackend()} has no Conv2DBackpropFilter kernel; using the example's forward-convolution fallback`,
    );
  }
  const result = await runStudy(options);
  const seconds = (performance.now() - started) / 1000;
  console.log('');
  console.log(result.table);
  console.log('');
  console.log(
    `wall time ${seconds.toFixed(0)} s (${(seconds / 60).toFixed(1)} min), backend ${backend.name}`,
  );
  console.log(result.jsonLine);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
