import { defineTasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineDistancePerSample, reconstructionLossPerSample } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), an independent erf for the expected values.
function erf(x: number): number {
  const sign = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return sign * y;
}
const phiJs = (x: number) => 0.5 * (1 + erf((x - 2.3618) / (1.5876 * Math.SQRT2)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('JTR reconstruction and distance', () => {
  const tasks = defineTasks([
    { name: 'semseg', kind: 'segmentation', channels: 2 },
    { name: 'depth', kind: 'depth', channels: 1 },
    { name: 'normal', kind: 'normals', channels: 3 },
  ]);
  // One sample, 1×2 map, 6 channels.
  const r = [0.5, -1, 0.3, 1, 2, -1, /* pixel 1 */ -0.2, 0.7, -0.4, 0, 1, 1];
  const targets = {
    semseg: [1, 0, 0, 0],
    depth: [0.3, 0.6],
    normal: [0.5, 0.5, 0.5, 0, 1, 0],
  };
  const mask = [1, 1];
  function expected(nonzero: boolean): number {
    const bce = (t: number, z: number) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    const count = (values: number[]) => (nonzero ? Math.max(1, values.filter((v) => v !== 0).length) : 2);
    let seg = 0;
    let depth = 0;
    let normal = 0;
    for (let p = 0; p < 2; p++) {
      for (let c = 0; c < 2; c++) seg += bce(targets.semseg[p * 2 + c]!, r[p * 6 + c]!) * mask[p]!;
      depth += Math.abs(0.5 + (sigmoid(r[p * 6 + 2]!) - 0.5) * (1 - 1e-5) - targets.depth[p]!) * mask[p]!;
      const v = [3, 4, 5].map((c) => r[p * 6 + c]!);
      const n = Math.hypot(...v);
      normal += v.reduce((s, x, c) => s + (x / n) * targets.normal[p * 3 + c]!, 0) * mask[p]!;
    }
    return seg / count(targets.semseg) + depth / count(targets.depth) + (1 - normal / count(targets.normal));
  }
  for (const nonzero of [true, false]) {
    it(`matches a hand computation (nonzeroCountNormaliser ${nonzero})`, () => {
      const loss = reconstructionLossPerSample(
        tasks,
        tf.tensor4d(r, [1, 1, 2, 6]),
        [
          tf.tensor4d(targets.semseg, [1, 1, 2, 2]),
          tf.tensor4d(targets.depth, [1, 1, 2, 1]),
          tf.tensor4d(targets.normal, [1, 1, 2, 3]),
        ],
        tf.tensor4d(mask, [1, 1, 2, 1]),
        { nonzeroCountNormaliser: nonzero },
      );
      expect(loss.dataSync()[0]).toBeCloseTo(expected(nonzero), 5);
    });
  }

  it('quirk 5 counts non-zeros of the pre-Phi depth target when given', () => {
    const depthTasks = defineTasks([{ name: 'depth', kind: 'depth', channels: 1 }]);
    const output = tf.tensor4d([0.4, -0.3], [1, 1, 2, 1]);
    const target = tf.tensor4d([phiJs(0), phiJs(2)], [1, 1, 2, 1]);
    const loss = reconstructionLossPerSample(
      depthTasks,
      output,
      [target],
      tf.ones([1, 1, 2, 1]) as tf.Tensor4D,
      { nonzeroCountNormaliser: true },
      [tf.tensor4d([0, 2], [1, 1, 2, 1])],
    );
    const squash = (z: number) => 0.5 + (sigmoid(z) - 0.5) * (1 - 1e-5);
    const expected = Math.abs(squash(0.4) - phiJs(0)) + Math.abs(squash(-0.3) - phiJs(2)); // N = 1
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  describe('normal reconstruction with an (n+1)/2-encoded target', () => {
    const normalTasks = defineTasks([{ name: 'normal', kind: 'normals', channels: 3 }]);
    // Two pixels; the output points along the encoded target, so r̂·tgt = ‖tgt‖ > 1 at both.
    // Unit normals n0 = (0.6, 0.8, 0), n1 = (0, 0, 1) → tgt = (n+1)/2 = (0.8, 0.9, 0.5), (0.5, 0.5, 1).
    const target = [0.8, 0.9, 0.5, 0.5, 0.5, 1];
    const output = tf.tensor4d([1.6, 1.8, 1.0, 1, 1, 2], [1, 1, 2, 3]);
    const norm0 = Math.hypot(0.8, 0.9, 0.5); // 1.3038
    const norm1 = Math.hypot(0.5, 0.5, 1); // 1.2247
    const run = (nonzeroCountNormaliser: boolean, normaliseNormalTarget: boolean) =>
      reconstructionLossPerSample(
        normalTasks,
        output,
        [tf.tensor4d(target, [1, 1, 2, 3])],
        tf.ones([1, 1, 2, 1]) as tf.Tensor4D,
        { nonzeroCountNormaliser, normaliseNormalTarget },
      ).dataSync()[0]!;

    it('clean (Σm, normalised target) is a true cosine distance: 0 for aligned vectors, never negative', () => {
      expect(run(false, true)).toBeCloseTo(0, 6);
      // Before the fix (un-normalised target over Σm = 2): 1 − (1.3038 + 1.2247)/2 = −0.264 < 0.
      expect(run(false, false)).toBeCloseTo(1 - (norm0 + norm1) / 2, 5);
      expect(run(false, false)).toBeLessThan(0);
    });

    it('faithful (N = nnz = 6, un-normalised target) is pinned by hand and stays ≥ 0', () => {
      // 1 − (‖tgt0‖ + ‖tgt1‖)/6 = 1 − 2.5285/6 = 0.5786: |r̂·tgt| ≤ ‖tgt‖₂ ≤ nnz per pixel keeps it ≥ 0.
      expect(run(true, false)).toBeCloseTo(1 - (norm0 + norm1) / 6, 5);
      expect(run(true, false)).toBeCloseTo(0.57858, 4);
    });
  });

  it('cosine distance is 1 − mean over positions of the channel cosine, and zero vectors give no NaN', () => {
    // Positions: two ordinary pairs, a zero vector against a non-zero one, and two zero vectors (an all-ReLU-off
    // latent position in both stacks, as JTR's auto-encoder gives: there (‖a‖‖b‖)² = 1e-48 underflows float32, and
    // a quotient's gradient −dot/(‖a‖‖b‖)² was 0/0 = NaN, found as a NaN stop of a real run).
    const a = tf.tensor4d([1, 0, 3, 4, 0, 0, 0, 0], [1, 1, 4, 2]);
    const b = tf.tensor4d([1, 1, 4, 3, 1, 0, 0, 0], [1, 1, 4, 2]);
    const expectedCosines = [1 / Math.SQRT2, 24 / 25, 0, 0];
    expect(cosineDistancePerSample(a, b).dataSync()[0]).toBeCloseTo(
      1 - expectedCosines.reduce((s, v) => s + v, 0) / 4,
      6,
    );
    const [gradientA, gradientB] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(cosineDistancePerSample(x, y)),
    )([a, b]);
    expect(Array.from(gradientA!.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Array.from(gradientB!.dataSync()).every(Number.isFinite)).toBe(true);
    // The ordinary positions' gradient is the analytic one: d(1 − cos)/da / 4 = −(b/(‖a‖‖b‖) − cos·a/‖a‖²) / 4.
    const analytic = (av: number[], bv: number[]) => {
      const na = Math.hypot(...av);
      const nb = Math.hypot(...bv);
      const cos = (av[0]! * bv[0]! + av[1]! * bv[1]!) / (na * nb);
      return av.map((_, c) => -(bv[c]! / (na * nb) - (cos * av[c]!) / (na * na)) / 4);
    };
    const expected = [...analytic([1, 0], [1, 1]), ...analytic([3, 4], [4, 3])];
    const actual = Array.from(gradientA!.dataSync()).slice(0, 4);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
  });
});
