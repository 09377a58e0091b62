// Child process for the signal test: trains the tiny components with signal handling on, printing `step N` after
// every step; on SIGINT/SIGTERM the loop finishes the step, checkpoints and returns. Prints the stop reason, the
// step and a SHA-256 of the network weights, and exits 0 when stopped by a signal (the CLI's convention).
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { runTraining } from '../../../src/training-loop.js';
import { disposeComponents, tinyComponents } from '../../fixtures/tiny-components.js';

async function main(): Promise<void> {
  const [outDir] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: signal-trainer OUT_DIR');
  await tf.setBackend('cpu');
  const components = tinyComponents();
  const result = await runTraining(components, {
    outDir,
    epochs: 100_000,
    checkpointEverySteps: 1_000_000,
    evaluateEvery: { unit: 'step', every: 1_000_000 },
    handleSignals: true,
    progress: 'none',
    log: (line) => process.stderr.write(`${line}\n`),
    onStep: (step) => process.stdout.write(`step ${step}\n`),
  });
  const hash = createHash('sha256');
  for (const variable of components.network.namedVariables().values())
    hash.update(new Uint8Array((variable.dataSync() as Float32Array).buffer));
  process.stdout.write(`result ${result.stopReason} ${result.step} ${hash.digest('hex')}\n`);
  process.stderr.write(`${result.message}\n`);
  disposeComponents(components);
  process.exitCode = result.stopReason === 'signal' ? 0 : 3;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
