import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { explainBackendFailure, installNodeUtilPolyfill, selectBackend } from '../src/index.js';

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /x/backend.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend', () => {
  it('picks wasm on this machine (tfjs-node absent, wasm installed)', async () => {
    const selection = await selectBackend({ warn: () => {} });
    expect(selection.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.skipped.map((s) => [s.name, s.status])).toEqual([
      ['tensorflow-gpu', 'not-installed'],
      ['tensorflow', 'not-installed'],
    ]);
    expect(selection.report).toMatch(/backend: wasm/);
  });

  it('picks cpu when wasm is not installed', async () => {
    const selection = await selectBackend({
      warn: () => {},
      importModule: async (name) => {
        if (name !== '@tensorflow/tfjs') throw notFound(name);
        return import('@tensorflow/tfjs');
      },
    });
    expect(selection.name).toBe('cpu');
    expect(selection.skipped.map((s) => s.status)).toEqual([
      'not-installed',
      'not-installed',
      'not-installed',
    ]);
  });

  it('reports a broken native GPU backend clearly and falls back', async () => {
    const warnings: string[] = [];
    const selection = await selectBackend({
      warn: (message) => warnings.push(message),
      importModule: async (name) => {
        if (name === '@tensorflow/tfjs-node-gpu') {
          throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
        }
        if (name === '@tensorflow/tfjs-node') throw notFound(name);
        return import(name);
      },
    });
    expect(selection.name).toBe('wasm');
    const gpu = selection.skipped.find((s) => s.name === 'tensorflow-gpu')!;
    expect(gpu.status).toBe('failed');
    expect(gpu.reason).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Falling back/);
  });

  it('a missing dependency inside an installed package counts as broken, not absent', async () => {
    const selection = await selectBackend({
      prefer: ['tensorflow', 'cpu'],
      warn: () => {},
      importModule: async (name) => {
        if (name === '@tensorflow/tfjs-node') {
          throw Object.assign(new Error("Cannot find module '/x/lib/napi-v8/tfjs_binding.node'"), {
            code: 'MODULE_NOT_FOUND',
          });
        }
        return import(name);
      },
    });
    expect(selection.name).toBe('cpu');
    expect(selection.skipped.find((s) => s.name === 'tensorflow')!.reason).toMatch(/native addon is missing/);
  });

  it('a forced backend that cannot load throws, naming it', async () => {
    await expect(
      selectBackend({
        prefer: 'tensorflow',
        warn: () => {},
        importModule: async (n) => Promise.reject(notFound(n)),
      }),
    ).rejects.toThrow(/tensorflow: @tensorflow\/tfjs-node is not installed/);
  });

  it('runs the after-select hook of the chosen backend', async () => {
    let called = 0;
    await selectBackend({ prefer: ['cpu'], afterSelect: { cpu: () => void called++ } });
    expect(called).toBe(1);
  });
});

describe('backend helpers', () => {
  it('explains unknown failures with the original message', () => {
    expect(explainBackendFailure('@tensorflow/tfjs-node', new Error('boom'))).toMatch(/failed to load: boom/);
  });

  it('polyfills util.isNullOrUndefined only when missing', () => {
    const fakeUtil: Record<string, unknown> = {};
    expect(installNodeUtilPolyfill(fakeUtil)).toBe(true);
    expect((fakeUtil.isNullOrUndefined as (v: unknown) => boolean)(null)).toBe(true);
    expect((fakeUtil.isNullOrUndefined as (v: unknown) => boolean)(0)).toBe(false);
    expect(installNodeUtilPolyfill(fakeUtil)).toBe(false);
  });
});
