// Child process for the SIGKILL test: saves checkpoints of step start+1, start+2, … in a loop (each tensor value
// is a function of the step, so the parent can check a loaded checkpoint bit-for-bit) and prints `saved N` after
// each save returns. Bundled by the test with TensorFlow.js stubbed out (saveCheckpoint only needs data()).
import type * as tf from '@tensorflow/tfjs';
import { saveCheckpoint } from '../../../src/checkpoint.js';
import { checkpointValues } from './checkpoint-values.js';

function fakeTensor(values: Float32Array | Int32Array, dtype: 'float32' | 'int32'): tf.Tensor {
  return { dtype, shape: [values.length], data: async () => values } as unknown as tf.Tensor;
}

async function main(): Promise<void> {
  const [directory, startText, elementsText] = process.argv.slice(2);
  if (!directory || !startText || !elementsText)
    throw new Error('usage: checkpoint-writer DIR START ELEMENTS');
  const elements = Number(elementsText);
  process.stdout.write('ready\n');
  for (let step = Number(startText) + 1; ; step++) {
    const tensors = new Map<string, tf.Tensor>([
      ['network/w', fakeTensor(checkpointValues(step, elements), 'float32')],
      ['optimizer/iterations', fakeTensor(Int32Array.of(step), 'int32')],
    ]);
    await saveCheckpoint(directory, tensors, { step });
    process.stdout.write(`saved ${step}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
