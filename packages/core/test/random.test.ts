import { describe, expect, it } from 'vitest';
import { RandomSource } from '../src/index.js';

describe('RandomSource', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new RandomSource(42);
    const b = new RandomSource(42);
    const c = new RandomSource(43);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    const seqB = Array.from({ length: 5 }, () => b.nextUint32());
    const seqC = Array.from({ length: 5 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('resumes exactly from a saved state', () => {
    const source = new RandomSource(3);
    for (let i = 0; i < 10; i++) source.next();
    const state = source.getState();
    const expected = Array.from({ length: 4 }, () => source.next());
    const restored = RandomSource.fromState(state);
    expect(Array.from({ length: 4 }, () => restored.next())).toEqual(expected);
  });

  it('draws uniform values with the right mean and normals with unit variance', () => {
    const source = new RandomSource(9);
    const n = 20000;
    let sum = 0;
    let sumNormal = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const u = source.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      const z = source.normal();
      sumNormal += z;
      sumSquares += z * z;
    }
    expect(sum / n).toBeGreaterThan(0.49);
    expect(sum / n).toBeLessThan(0.51);
    expect(Math.abs(sumNormal / n)).toBeLessThan(0.03);
    expect(sumSquares / n).toBeGreaterThan(0.96);
    expect(sumSquares / n).toBeLessThan(1.04);
  });

  it('shuffles into a permutation and forks independent, reproducible streams', () => {
    const source = new RandomSource(5);
    const permutation = source.permutation(50);
    expect([...permutation].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const forkA = source.fork('augment').nextUint32();
    const forkA2 = source.fork('augment').nextUint32();
    const forkB = source.fork('split').nextUint32();
    expect(forkA).toBe(forkA2);
    expect(forkA).not.toBe(forkB);
  });

  it('rejects bad arguments with a clear message', () => {
    expect(() => new RandomSource(Number.NaN)).toThrow(/seed must be a finite number/);
    expect(() => new RandomSource(1).int(0)).toThrow(/positive integer/);
    expect(() => new RandomSource(1).setState([1, 2, 3] as never)).toThrow(/four uint32 words/);
  });
});
