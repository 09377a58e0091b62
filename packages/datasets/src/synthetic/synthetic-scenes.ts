// Synthetic dense multi-task set ("scenes"): procedurally rendered rooms with objects (scene-renderer.ts) and up to
// seven consistent tasks derived from one ray cast: semantic segmentation, depth, surface normals, edges (instance
// or crease boundaries), reshading, curvature and occlusion edges. Not a published data set: the project's
// embedded default for tests, demos and the regularizer benchmark (T = 2..7 tasks).
import {
  type DenseArray,
  defineTasks,
  type Sample,
  type SampleSource,
  type TaskSpec,
} from '@partial-mtl/core';
import { type RenderedScene, renderScene, sceneClassNames } from './scene-renderer.js';

export const syntheticSceneTaskNames = [
  'semseg',
  'depth',
  'normal',
  'edges',
  'reshading',
  'curvature',
  'occlusion',
] as const;

export type SyntheticSceneTaskName = (typeof syntheticSceneTaskNames)[number];

const allSceneTasks: Readonly<Record<SyntheticSceneTaskName, TaskSpec>> = Object.fromEntries(
  defineTasks([
    {
      name: 'semseg',
      kind: 'segmentation',
      channels: sceneClassNames.length,
      ignoreValue: -1,
      labelNames: sceneClassNames,
    },
    { name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 },
    { name: 'normal', kind: 'normals', channels: 3, ignoreValue: 0 },
    { name: 'edges', kind: 'edges', channels: 1, loss: 'binary-cross-entropy' },
    { name: 'reshading', kind: 'regression', channels: 1, loss: 'l1' },
    { name: 'curvature', kind: 'regression', channels: 1, loss: 'l1' },
    { name: 'occlusion', kind: 'edges', channels: 1, loss: 'binary-cross-entropy' },
  ]).map((task) => [task.name, task]),
) as Record<SyntheticSceneTaskName, TaskSpec>;

/** The first `count` scene tasks (2..7), in the order semseg, depth, normal, edges, reshading, curvature, occlusion. */
export function createSyntheticTasks(count: number): readonly TaskSpec[] {
  if (!Number.isInteger(count) || count < 1 || count > syntheticSceneTaskNames.length) {
    throw new Error(
      `createSyntheticTasks: count must be an integer in 1..${syntheticSceneTaskNames.length}, got ${count}`,
    );
  }
  return syntheticSceneTaskNames.slice(0, count).map((name) => allSceneTasks[name]);
}

export interface SyntheticScenesOptions {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly seed: number;
  /** Task names (any subset, in the order given) or a task count (the first T of `syntheticSceneTaskNames`). */
  readonly tasks: readonly SyntheticSceneTaskName[] | number;
  /** Standard deviation of the Gaussian pixel noise. */
  readonly noise: number;
  /** Relative depth jump between 4-neighbours of different instances that counts as an occlusion edge. */
  readonly occlusionThreshold: number;
  /** Cosine between neighbouring normals below which a crease counts as an edge (box edges, cylinder rims). */
  readonly creaseCosine: number;
}

export const syntheticScenesDefaults: Omit<SyntheticScenesOptions, 'count' | 'height' | 'width' | 'seed'> =
  Object.freeze({
    tasks: Object.freeze(['semseg', 'depth', 'normal'] as SyntheticSceneTaskName[]),
    noise: 0.02,
    occlusionThreshold: 0.05,
    creaseCosine: 0.8,
  });

/** Edge maps from the rendered buffers: 1 on both sides of every boundary between 4-neighbours. */
function edgeMaps(
  scene: RenderedScene,
  options: SyntheticScenesOptions,
): { edges: Float32Array; occlusion: Float32Array } {
  const { height, width, instance, depth, normal } = scene;
  const edges = new Float32Array(height * width);
  const occlusion = new Float32Array(height * width);
  const mark = (p: number, q: number): void => {
    const differentInstance = instance[p] !== instance[q];
    const cosine =
      normal[p * 3]! * normal[q * 3]! +
      normal[p * 3 + 1]! * normal[q * 3 + 1]! +
      normal[p * 3 + 2]! * normal[q * 3 + 2]!;
    if (differentInstance || cosine < options.creaseCosine) edges[p] = edges[q] = 1;
    const near = Math.min(depth[p]!, depth[q]!);
    if (differentInstance && Math.abs(depth[p]! - depth[q]!) > options.occlusionThreshold * near)
      occlusion[p] = occlusion[q] = 1;
  };
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const p = row * width + column;
      if (column + 1 < width) mark(p, p + 1);
      if (row + 1 < height) mark(p, p + width);
    }
  }
  return { edges, occlusion };
}

function resolveTasks(tasks: SyntheticScenesOptions['tasks']): readonly TaskSpec[] {
  if (typeof tasks === 'number') return createSyntheticTasks(tasks);
  for (const name of tasks) {
    if (!(name in allSceneTasks)) {
      throw new Error(
        `createSyntheticScenes: unknown task '${name}' (tasks: ${syntheticSceneTaskNames.join(', ')})`,
      );
    }
  }
  return defineTasks(tasks.map((name) => allSceneTasks[name]));
}

/** Renders one sample of a scenes set with the given tasks' labels. */
export function renderSceneSample(
  options: SyntheticScenesOptions,
  tasks: readonly TaskSpec[],
  index: number,
): Sample {
  const { height, width } = options;
  const scene = renderScene(options.seed, index, height, width, options.noise);
  const needsEdges = tasks.some((task) => task.name === 'edges' || task.name === 'occlusion');
  const maps = needsEdges ? edgeMaps(scene, options) : undefined;
  const map = (data: Float32Array): DenseArray => ({ data, shape: [height, width, 1] });
  const labels: Record<string, DenseArray> = {};
  for (const task of tasks) {
    const name = task.name as SyntheticSceneTaskName;
    switch (name) {
      case 'semseg':
        labels[name] = { data: scene.semanticClass, shape: [height, width] };
        break;
      case 'depth':
        labels[name] = map(scene.depth);
        break;
      case 'normal':
        labels[name] = { data: scene.normal, shape: [height, width, 3] };
        break;
      case 'edges':
        labels[name] = map(maps!.edges);
        break;
      case 'occlusion':
        labels[name] = map(maps!.occlusion);
        break;
      case 'reshading':
        labels[name] = map(scene.shading);
        break;
      case 'curvature':
        labels[name] = map(scene.curvature);
        break;
    }
  }
  return { index, image: { data: scene.image, shape: [height, width, 3] }, labels };
}

function checkSize(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`createSyntheticScenes: ${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}

/** A seeded, lazily rendered scenes set: sample i is the same for the same options, in any process. */
export function createSyntheticScenes(
  options: Pick<SyntheticScenesOptions, 'count' | 'height' | 'width' | 'seed'> &
    Partial<SyntheticScenesOptions>,
): SampleSource & { readonly descriptor: { kind: 'synthetic-scenes'; options: SyntheticScenesOptions } } {
  const resolved: SyntheticScenesOptions = { ...syntheticScenesDefaults, ...options };
  checkSize('count', resolved.count, 0);
  checkSize('height', resolved.height, 2);
  checkSize('width', resolved.width, 2);
  const tasks = resolveTasks(resolved.tasks);
  return {
    tasks,
    length: resolved.count,
    descriptor: { kind: 'synthetic-scenes', options: resolved },
    async read(index: number): Promise<Sample> {
      if (!Number.isInteger(index) || index < 0 || index >= resolved.count) {
        throw new Error(`synthetic scenes: index ${index} out of range 0..${resolved.count - 1}`);
      }
      return renderSceneSample(resolved, tasks, index);
    },
  };
}
