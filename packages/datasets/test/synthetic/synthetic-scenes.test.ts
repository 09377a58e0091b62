import { describe, expect, test } from 'vitest';
import {
  createSyntheticScenes,
  createSyntheticTasks,
  syntheticSceneTaskNames,
} from '../../src/synthetic/synthetic-scenes.js';

const height = 36;
const width = 48;
const source = createSyntheticScenes({ count: 6, height, width, seed: 12, tasks: 7 });

describe('createSyntheticScenes', () => {
  test('tasks, shapes and value ranges', async () => {
    expect(source.tasks.map((task) => task.name)).toEqual([...syntheticSceneTaskNames]);
    expect(source.length).toBe(6);
    const sample = await source.read(2);
    expect(sample.index).toBe(2);
    expect(sample.image.shape).toEqual([height, width, 3]);
    expect(sample.labels.semseg!.shape).toEqual([height, width]);
    expect(sample.labels.depth!.shape).toEqual([height, width, 1]);
    expect(sample.labels.normal!.shape).toEqual([height, width, 3]);
    for (const name of ['edges', 'reshading', 'curvature', 'occlusion'])
      expect(sample.labels[name]!.shape).toEqual([height, width, 1]);
    expect(sample.image.data.every((value) => value >= 0 && value <= 1)).toBe(true);
    expect(
      sample.labels.semseg!.data.every((value) => Number.isInteger(value) && value >= 0 && value <= 4),
    ).toBe(true);
    expect(sample.labels.depth!.data.every((value) => value > 0 && value < 20)).toBe(true);
    expect(sample.labels.reshading!.data.every((value) => value >= 0 && value <= 1)).toBe(true);
    expect(sample.labels.edges!.data.every((value) => value === 0 || value === 1)).toBe(true);
  });

  test('normals are unit length and face the camera', async () => {
    for (let index = 0; index < source.length; index++) {
      const normal = (await source.read(index)).labels.normal!.data;
      for (let p = 0; p < height * width; p++) {
        const [x, y, z] = [normal[p * 3]!, normal[p * 3 + 1]!, normal[p * 3 + 2]!];
        expect(Math.hypot(x, y, z)).toBeCloseTo(1, 5);
        // Visible surfaces face the pixel's ray (u, v, −1) in the output frame (x right, y up, z towards the
        // viewer); the renderer's focal length is 0.9·max(H, W).
        const focal = 0.9 * Math.max(height, width);
        const u = ((p % width) + 0.5 - width / 2) / focal;
        const v = (height / 2 - Math.floor(p / width) - 0.5) / focal;
        expect(x * u + y * v - z).toBeLessThan(1e-6);
      }
    }
  });

  test('segmentation, edges, occlusion and depth agree', async () => {
    let occlusionPixels = 0;
    for (let index = 0; index < source.length; index++) {
      const sample = await source.read(index);
      const semseg = sample.labels.semseg!.data;
      const edges = sample.labels.edges!.data;
      const occlusion = sample.labels.occlusion!.data;
      const depth = sample.labels.depth!.data;
      const curvature = sample.labels.curvature!.data;
      for (let p = 0; p < height * width; p++) {
        // Occlusion boundaries are edges; planes and boxes have no curvature.
        if (occlusion[p]) expect(edges[p]).toBe(1);
        occlusionPixels += occlusion[p]!;
        if (semseg[p] === 0 || semseg[p] === 1 || semseg[p] === 3) expect(curvature[p]).toBe(0);
        else if (semseg[p] === 2) expect(curvature[p]).toBeGreaterThan(1);
        const neighbours = [
          (p % width) + 1 < width ? p + 1 : -1,
          p + width < height * width ? p + width : -1,
        ];
        for (const q of neighbours) {
          if (q < 0) continue;
          // A class change is always an edge, on both sides.
          if (semseg[p] !== semseg[q]) expect([edges[p], edges[q]]).toEqual([1, 1]);
          // Depth jumps between neighbours of one class on different objects only happen at marked occlusions.
          const jump = Math.abs(depth[p]! - depth[q]!) / Math.min(depth[p]!, depth[q]!);
          if (jump > 0.05 && semseg[p] !== semseg[q] && !(semseg[p]! <= 1 && semseg[q]! <= 1)) {
            expect([occlusion[p], occlusion[q]]).toEqual([1, 1]);
          }
        }
      }
    }
    expect(occlusionPixels).toBeGreaterThan(0);
  });

  test('objects stand in front of the floor and the wall', async () => {
    let objectPixels = 0;
    for (let index = 0; index < source.length; index++) {
      const sample = await source.read(index);
      const semseg = sample.labels.semseg!.data;
      const depth = sample.labels.depth!.data;
      let wallDepth = Number.POSITIVE_INFINITY;
      let objectDepth = 0;
      for (let p = 0; p < height * width; p++) {
        if (semseg[p] === 1) wallDepth = Math.min(wallDepth, depth[p]!);
        if (semseg[p]! >= 2) {
          objectDepth = Math.max(objectDepth, depth[p]!);
          objectPixels++;
        }
      }
      expect(objectDepth).toBeLessThan(Math.max(wallDepth, 9.5));
    }
    expect(objectPixels).toBeGreaterThan(0);
  });

  test('seeded and deterministic per index; other seeds and indices differ', async () => {
    const again = createSyntheticScenes({ count: 6, height, width, seed: 12, tasks: 7 });
    expect(await again.read(4)).toEqual(await source.read(4));
    const other = createSyntheticScenes({ count: 6, height, width, seed: 13, tasks: 7 });
    expect((await other.read(4)).image.data).not.toEqual((await source.read(4)).image.data);
    expect((await source.read(3)).image.data).not.toEqual((await source.read(4)).image.data);
  });

  test('task subsets by name and by count; bad input is reported', async () => {
    const two = createSyntheticScenes({ count: 1, height: 4, width: 4, seed: 0, tasks: ['depth', 'edges'] });
    expect(two.tasks.map((task) => task.name)).toEqual(['depth', 'edges']);
    expect(Object.keys((await two.read(0)).labels)).toEqual(['depth', 'edges']);
    expect(
      createSyntheticScenes({ count: 1, height: 4, width: 4, seed: 0 }).tasks.map((task) => task.name),
    ).toEqual(['semseg', 'depth', 'normal']);
    expect(createSyntheticScenes({ count: 1, height: 4, width: 4, seed: 0 }).descriptor.kind).toBe(
      'synthetic-scenes',
    );
    for (let count = 2; count <= 7; count++) expect(createSyntheticTasks(count)).toHaveLength(count);
    expect(() => createSyntheticTasks(8)).toThrow(/1\.\.7/);
    expect(() =>
      createSyntheticScenes({ count: 1, height: 4, width: 4, seed: 0, tasks: ['sky' as 'depth'] }),
    ).toThrow(/unknown task 'sky'/);
    await expect(two.read(1)).rejects.toThrow(/out of range/);
  });
});
