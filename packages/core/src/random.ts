// Seeded random source used wherever randomness enters (splits, augmentation, Gumbel noise, initialisation),
// so that a run is reproducible from one global seed. Generator: sfc32 (Chris Doty-Humphrey's Small Fast
// Counting generator, PractRand-clean), seeded through splitmix32. Its state is four uint32 words and can be
// saved in a checkpoint and restored on resume.

/** Serializable state of a RandomSource. */
export type RandomState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a label, to derive independent named streams. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return hash >>> 0;
}

export class RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`RandomSource: seed must be a finite number, got ${seed}`);
    const mix = splitmix32(Math.floor(seed) >>> 0);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A source restored from a saved state. */
  static fromState(state: RandomState): RandomSource {
    const source = new RandomSource(0);
    source.setState(state);
    return source;
  }

  getState(): RandomState {
    return [this.a, this.b, this.c, this.d];
  }

  setState(state: RandomState): void {
    if (
      state.length !== 4 ||
      state.some((word) => !Number.isInteger(word) || word < 0 || word > 0xffffffff)
    ) {
      throw new Error(`RandomSource.setState: expected four uint32 words, got ${JSON.stringify(state)}`);
    }
    [this.a, this.b, this.c, this.d] = state;
    this.spareNormal = undefined;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in (0, 1): never exactly 0, safe for logarithms. */
  nextOpen(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`RandomSource.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [low, high], both inclusive. */
  intBetween(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('RandomSource.pick: empty array');
    return items[this.int(items.length)]!;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal sample (Box–Muller, the second value cached). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(this.nextOpen()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** An integer seed for TensorFlow.js random ops (`tf.randomUniform(..., seed)`), advancing this source. */
  tfSeed(): number {
    return this.nextUint32();
  }

  /**
   * An independent source derived from this one's current state and a label, without advancing this one:
   * `fork('augment')` always gives the same stream for the same parent state.
   */
  fork(label: string): RandomSource {
    const child = new RandomSource(0);
    const mix = splitmix32((this.a ^ hashLabel(label) ^ Math.imul(this.d, 0x27d4eb2d)) >>> 0);
    child.setState(
      [mix() ^ this.b, mix() ^ this.c, mix(), mix()].map((w) => w >>> 0) as unknown as RandomState,
    );
    for (let i = 0; i < 12; i++) child.nextUint32();
    return child;
  }
}
