// Synthetic "affect-like" classification set: a class (like an expression) is drawn uniformly, binary attributes
// (like facial action units) follow it through a known relatedness matrix R[k, i] = p(attribute i on | class k)
// (the form distribution-matching.md §3 uses), and a small face-like image renders the active attributes as local
// blobs plus noise. The class reaches the image only through its attributes. With `attributeVisibility` < 1 an
// active attribute is drawn only with that probability (a subtle or occluded action unit): it stays in the labels,
// and then the class, through R, says more about it than the image does. Not a published data set.
import {
  type DenseArray,
  defineTasks,
  RandomSource,
  type Sample,
  type SampleSource,
  type TaskSpec,
} from '@partial-mtl/core';

export const syntheticAffectClassNames = [
  'neutral',
  'happiness',
  'sadness',
  'surprise',
  'fear',
  'disgust',
  'anger',
] as const;

/** Default relatedness, classes × attributes: p(attribute on | class). Rows follow `syntheticAffectClassNames`. */
export const syntheticAffectRelatedness: readonly (readonly number[])[] = Object.freeze(
  [
    [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05],
    [0.95, 0.95, 0.5, 0.05, 0.05, 0.05, 0.05, 0.05],
    [0.05, 0.05, 0.6, 0.95, 0.95, 0.05, 0.05, 0.05],
    [0.05, 0.05, 0.05, 0.05, 0.05, 0.95, 0.95, 0.5],
    [0.05, 0.05, 0.05, 0.95, 0.05, 0.95, 0.6, 0.05],
    [0.5, 0.05, 0.05, 0.05, 0.95, 0.05, 0.05, 0.95],
    [0.05, 0.6, 0.05, 0.95, 0.05, 0.05, 0.05, 0.95],
  ].map((row) => Object.freeze(row)),
);

export interface SyntheticAffectOptions {
  readonly count: number;
  /** Image side in pixels (images are size×size×3). */
  readonly size: number;
  readonly seed: number;
  /** Classes × attributes probabilities; its shape sets the class and attribute counts. */
  readonly relatedness: readonly (readonly number[])[];
  /** Class names (default: the seven basic expressions when there are 7 classes, else class0..). */
  readonly classNames?: readonly string[];
  /** Peak contrast of an active attribute's blob. */
  readonly attributeStrength: number;
  /** Standard deviation of the Gaussian pixel noise. */
  readonly noise: number;
  /** Probability that an active attribute shows in the image (1: always; it stays labelled either way). */
  readonly attributeVisibility: number;
  readonly expressionTask: string;
  readonly attributeTask: string;
}

export const syntheticAffectDefaults: Omit<SyntheticAffectOptions, 'count' | 'size' | 'seed'> = Object.freeze(
  {
    relatedness: syntheticAffectRelatedness,
    attributeStrength: 0.35,
    noise: 0.05,
    attributeVisibility: 1,
    expressionTask: 'expression',
    attributeTask: 'actionUnits',
  },
);

function checkRelatedness(relatedness: readonly (readonly number[])[]): {
  classes: number;
  attributes: number;
} {
  const classes = relatedness.length;
  const attributes = relatedness[0]?.length ?? 0;
  if (
    classes < 2 ||
    attributes < 1 ||
    relatedness.some((row) => row.length !== attributes || row.some((p) => !(p >= 0 && p <= 1)))
  ) {
    throw new Error(
      'createSyntheticAffect: relatedness must be a classes × attributes matrix (≥ 2 classes) of probabilities in [0, 1]',
    );
  }
  return { classes, attributes };
}

/** The two tasks of an affect-like set: multiclass expression and multilabel attributes. */
export function syntheticAffectTasks(options: Partial<SyntheticAffectOptions> = {}): readonly TaskSpec[] {
  const resolved = { ...syntheticAffectDefaults, ...options };
  const { classes, attributes } = checkRelatedness(resolved.relatedness);
  const classNames =
    resolved.classNames ??
    (classes === syntheticAffectClassNames.length
      ? syntheticAffectClassNames
      : Array.from({ length: classes }, (_, k) => `class${k}`));
  return defineTasks([
    { name: resolved.expressionTask, kind: 'multiclass', channels: classes, labelNames: classNames },
    {
      name: resolved.attributeTask,
      kind: 'multilabel',
      channels: attributes,
      ignoreValue: -1,
      labelNames: Array.from({ length: attributes }, (_, i) => `attribute${i}`),
    },
  ]);
}

/** Renders sample `index`: draws its class, its attributes and its image. */
export function renderAffectSample(options: SyntheticAffectOptions, index: number): Sample {
  const { size, relatedness } = options;
  const { classes, attributes } = checkRelatedness(relatedness);
  const random = new RandomSource(
    (Math.imul((options.seed >>> 0) ^ 0x2c1b3c6d, 0x297a2d39) + Math.imul(index + 1, 0x68e31da4)) >>> 0,
  );
  const expression = random.int(classes);
  const active = new Float32Array(attributes);
  for (let i = 0; i < attributes; i++) active[i] = random.next() < relatedness[expression]![i]! ? 1 : 0;

  const image = new Float32Array(size * size * 3);
  const centre = (size - 1) / 2;
  const tone = 0.55 + (random.next() - 0.5) * 0.2;
  const faceRadiusX = size * (0.36 + random.next() * 0.04);
  const faceRadiusY = size * (0.44 + random.next() * 0.04);
  const blobs: { x: number; y: number; sign: number; amplitude: number; width: number; tint: number }[] = [];
  for (let i = 0; i < attributes; i++) {
    if (!active[i]) continue;
    // Drawn only below visibility 1, so that the default renders exactly what it always did.
    if (options.attributeVisibility < 1 && random.next() >= options.attributeVisibility) continue;
    const angle = (2 * Math.PI * i) / attributes;
    blobs.push({
      x: centre + Math.cos(angle) * size * 0.25 + random.normal() * 0.04 * size,
      y: centre + Math.sin(angle) * size * 0.25 + random.normal() * 0.04 * size,
      sign: i % 2 === 0 ? -1 : 1,
      amplitude: options.attributeStrength * (0.75 + 0.5 * random.next()),
      width: size * 0.07,
      tint: i % 3,
    });
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = ((x - centre) / faceRadiusX) ** 2 + ((y - centre) / faceRadiusY) ** 2 <= 1;
      for (let c = 0; c < 3; c++) {
        let value = inside ? tone * [1, 0.85, 0.75][c]! : 0.2;
        for (const blob of blobs) {
          const falloff = Math.exp(-((x - blob.x) ** 2 + (y - blob.y) ** 2) / (2 * blob.width ** 2));
          value += blob.sign * blob.amplitude * falloff * (c === blob.tint ? 1 : 0.6);
        }
        value += options.noise * random.normal();
        image[(y * size + x) * 3 + c] = Math.min(1, Math.max(0, value));
      }
    }
  }
  const labels: Record<string, DenseArray> = {
    [options.expressionTask]: { data: new Float32Array([expression]), shape: [1] },
    [options.attributeTask]: { data: active, shape: [attributes] },
  };
  return { index, image: { data: image, shape: [size, size, 3] }, labels };
}

/** A seeded, lazily rendered affect-like set with tasks `expression` (multiclass) and `actionUnits` (multilabel). */
export function createSyntheticAffect(
  options: Pick<SyntheticAffectOptions, 'count' | 'size' | 'seed'> & Partial<SyntheticAffectOptions>,
): SampleSource & {
  readonly descriptor: { kind: 'synthetic-affect'; options: SyntheticAffectOptions };
  readonly relatedness: readonly (readonly number[])[];
} {
  const resolved: SyntheticAffectOptions = { ...syntheticAffectDefaults, ...options };
  if (!Number.isInteger(resolved.count) || resolved.count < 0)
    throw new Error(`createSyntheticAffect: count must be an integer ≥ 0, got ${resolved.count}`);
  if (!Number.isInteger(resolved.size) || resolved.size < 4)
    throw new Error(`createSyntheticAffect: size must be an integer ≥ 4, got ${resolved.size}`);
  if (!(resolved.attributeVisibility >= 0 && resolved.attributeVisibility <= 1))
    throw new Error(
      `createSyntheticAffect: attributeVisibility must be in [0, 1], got ${resolved.attributeVisibility}`,
    );
  const tasks = syntheticAffectTasks(resolved);
  return {
    tasks,
    length: resolved.count,
    relatedness: resolved.relatedness,
    descriptor: { kind: 'synthetic-affect', options: resolved },
    async read(index: number): Promise<Sample> {
      if (!Number.isInteger(index) || index < 0 || index >= resolved.count) {
        throw new Error(`synthetic affect: index ${index} out of range 0..${resolved.count - 1}`);
      }
      return renderAffectSample(resolved, index);
    },
  };
}
