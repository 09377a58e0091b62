// Backend faults at selection time, simulated through selectBackend's importModule injection: tfjs-node-gpu
// installed but CUDA/cuDNN missing (CUDA 12 beside a CUDA 11.2 build), a native addon that is absent, a wasm binary
// that fails to instantiate. Each gives one clear warning with the fix and falls back to the next backend, which
// then trains (a gradient step runs); forcing the broken backend fails with the same explanation.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/index.js';

const counts = { faults: 0 };

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /x/backend.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

afterAll(async () => {
  await tf.setBackend('cpu');
  console.log(`core backend faults injected: ${counts.faults}`);
});

/** A loader where the named packages fail with the given errors, absent native packages are not installed. */
function loader(failures: Record<string, Error>) {
  return async (name: string): Promise<unknown> => {
    const failure = failures[name];
    if (failure) throw failure;
    if (name === '@tensorflow/tfjs-node' || name === '@tensorflow/tfjs-node-gpu') throw notFound(name);
    return import(name);
  };
}

/** One gradient step on the active backend: proves the fallback can train. */
function trainsOneStep(): boolean {
  const weight = tf.variable(tf.tensor1d([1, 2]));
  const optimizer = tf.train.sgd(0.1);
  optimizer.minimize(() => tf.sum(tf.square(weight)) as tf.Scalar);
  const values = [...weight.dataSync()];
  weight.dispose();
  optimizer.dispose();
  return Math.abs(values[0]! - 0.8) < 1e-6 && Math.abs(values[1]! - 1.6) < 1e-6;
}

const cudaErrors: [string, Error][] = [
  [
    'CUDA 12 instead of 11.2',
    new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory'),
  ],
  [
    'cuDNN missing',
    new Error(
      'Could not load dynamic library libcudnn.so.8; dlerror: libcudnn.so.8: cannot open shared object file',
    ),
  ],
  ['no driver', new Error('CUDA driver version is insufficient for CUDA runtime version')],
];

describe('tfjs-node-gpu installed but CUDA missing', () => {
  for (const [scenario, error] of cudaErrors) {
    it(`${scenario}: one clear warning naming CUDA 11.2 / cuDNN 8.1, then a working fallback`, async () => {
      const warnings: string[] = [];
      const selection = await selectBackend({
        warn: (message) => warnings.push(message),
        importModule: loader({ '@tensorflow/tfjs-node-gpu': error }),
      });
      counts.faults += 1;
      expect(['wasm', 'cpu']).toContain(selection.name);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /@tensorflow\/tfjs-node-gpu is installed but its CUDA libraries could not be loaded/,
      );
      expect(warnings[0]).toMatch(/CUDA 11\.2 and cuDNN 8\.1 .*Falling back to the next backend\./);
      expect(selection.report).toMatch(/skipped tensorflow-gpu: .*CUDA 11\.2/);
      expect(trainsOneStep()).toBe(true);
    });
  }

  it('forcing the broken GPU backend fails with the same explanation instead of a stack of native errors', async () => {
    counts.faults += 1;
    await expect(
      selectBackend({
        prefer: 'tensorflow-gpu',
        warn: () => {},
        importModule: loader({ '@tensorflow/tfjs-node-gpu': cudaErrors[0]![1] }),
      }),
    ).rejects.toThrow(
      /no TensorFlow\.js backend could be loaded\.\n[\s\S]* {2}tensorflow-gpu: .*libcudart\.so\.11\.0.*CUDA 11\.2/,
    );
  });
});

describe('other native and wasm failures', () => {
  it('a tfjs-node without its native addon, then a wasm binary that cannot instantiate: falls back to cpu with both reasons', async () => {
    const warnings: string[] = [];
    const selection = await selectBackend({
      warn: (message) => warnings.push(message),
      importModule: loader({
        '@tensorflow/tfjs-node': new Error("Cannot find module '/x/lib/napi-v8/tfjs_binding.node'"),
        '@tensorflow/tfjs-backend-wasm': new Error(
          'WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory for new instance',
        ),
      }),
    });
    counts.faults += 2;
    expect(selection.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /tfjs-node is installed but its native addon is missing .*TFJS_NODE_CDN_STORAGE/,
    );
    expect(warnings[1]).toMatch(
      /tfjs-backend-wasm is installed but failed to load: WebAssembly\.instantiate\(\): Out of memory/,
    );
    expect(selection.skipped.map((entry) => [entry.name, entry.status])).toEqual([
      ['tensorflow-gpu', 'not-installed'],
      ['tensorflow', 'failed'],
      ['wasm', 'failed'],
    ]);
    expect(trainsOneStep()).toBe(true);
  });
});
