import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gumbelSoftmax, RandomSource, stopGradient, straightThrough } from '../src/index.js';
import { useCpu } from './setup-cpu.js';

beforeAll(useCpu);

describe('stopGradient', () => {
  it('passes values through unchanged', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, y]);
  });

  it('blocks gradients: f = a*b + stop(a)*c gives df/da = b (hand-computed), not b + c', () => {
    const a = tf.variable(tf.scalar(2), true, 'sg_a');
    const b = tf.variable(tf.scalar(3), true, 'sg_b');
    const c = tf.variable(tf.scalar(5), true, 'sg_c');
    const { value, grads } = tf.variableGrads(
      () => tf.add(tf.mul(a, b), tf.mul(stopGradient(a), c)) as tf.Scalar,
    );
    expect(value.dataSync()[0]).toBe(2 * 3 + 2 * 5);
    expect(grads.sg_a!.dataSync()[0]).toBe(3); // only through a*b
    expect(grads.sg_b!.dataSync()[0]).toBe(2);
    expect(grads.sg_c!.dataSync()[0]).toBe(2); // c still sees the detached value of a
    tf.dispose([a, b, c, value, ...Object.values(grads)]);
  });

  it('a variable connected only through stopGradient receives no gradient at all', () => {
    const upstream = tf.variable(tf.tensor1d([1, 2]), true, 'sg_up');
    const downstream = tf.variable(tf.tensor1d([3, 4]), true, 'sg_down');
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(stopGradient(tf.square(upstream)), downstream)) as tf.Scalar,
    );
    expect(grads.sg_up).toBeUndefined();
    expect(Array.from(grads.sg_down!.dataSync())).toEqual([1, 4]);
    tf.dispose([upstream, downstream, value, ...Object.values(grads)]);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      stopGradient(tf.mul(x, 2));
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('straightThrough', () => {
  it('forwards the hard value and passes the gradient of the soft one (identity)', () => {
    const logits = tf.variable(tf.tensor1d([0.2, 1.0, -0.5]), true, 'st_logits');
    const weights = tf.tensor1d([1, 2, 3]);
    let forward: number[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const soft = tf.softmax(logits);
      const hard = tf.oneHot(tf.argMax(soft), 3, 1, 0, 'float32') as tf.Tensor1D;
      const mixed = straightThrough(hard, soft);
      forward = Array.from(mixed.dataSync());
      return tf.sum(tf.mul(mixed, weights)) as tf.Scalar;
    });
    expect(forward[0]).toBeCloseTo(0, 6);
    expect(forward[1]).toBeCloseTo(1, 6);
    expect(forward[2]).toBeCloseTo(0, 6);
    // d/dlogits sum(w * softmax(l)) = s ⊙ (w − (s·w)), computed by hand here.
    const l = [0.2, 1.0, -0.5];
    const e = l.map(Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    const s = e.map((v) => v / z);
    const sw = s[0]! * 1 + s[1]! * 2 + s[2]! * 3;
    const expected = [1, 2, 3].map((w, i) => s[i]! * (w - sw));
    const got = Array.from(grads.st_logits!.dataSync());
    for (const [i, g] of got.entries()) expect(g).toBeCloseTo(expected[i]!, 6);
    expect(value.dataSync()[0]).toBeCloseTo(2, 6);
    tf.dispose([logits, weights, value, ...Object.values(grads)]);
  });
});

describe('gumbelSoftmax', () => {
  it('hard samples are one-hot, reproducible from the seed, and differentiable', () => {
    const logits = tf.variable(
      tf.tensor2d([
        [0.1, 0.5, 2.0],
        [3.0, -1.0, 0.0],
      ]),
      true,
      'gs_logits',
    );
    const sampleA = tf.tidy(() => gumbelSoftmax(logits, new RandomSource(7)));
    const sampleB = tf.tidy(() => gumbelSoftmax(logits, new RandomSource(7)));
    const rows = sampleA.arraySync() as number[][];
    for (const row of rows) {
      expect(row.filter((v) => Math.abs(v - 1) < 1e-6)).toHaveLength(1);
      expect(row.filter((v) => Math.abs(v) < 1e-6)).toHaveLength(2);
    }
    expect(sampleA.arraySync()).toEqual(sampleB.arraySync());
    const { value, grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.mul(
            gumbelSoftmax(logits, new RandomSource(1)),
            tf.tensor2d([
              [1, 2, 3],
              [1, 2, 3],
            ]),
          ),
        ) as tf.Scalar,
    );
    expect(tf.sum(tf.abs(grads.gs_logits!)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([logits, sampleA, sampleB, value, ...Object.values(grads)]);
  });
});
