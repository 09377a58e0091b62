import * as tf from '@tensorflow/tfjs';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Logits that make `classes[i]` the argmax of row i. */
export function logitsFor(classes: readonly number[], classCount: number): Float32Array {
  const logits = new Float32Array(classes.length * classCount);
  classes.forEach((predicted, row) => {
    logits[row * classCount + predicted] = 1;
  });
  return logits;
}

/** Deterministic uniform numbers in [0, 1) (a small LCG), for batch-splitting tests. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
