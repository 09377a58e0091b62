// Δm (JTR's formula, metrics.md §5a) on the poster's NYU-v2 randomlabels rows, and mean ± sample std.
import { describe, expect, it } from 'vitest';
import { deltaM, meanAndStd } from '../../src/sweep/delta.js';

describe('deltaM', () => {
  it("reproduces the JTR poster's +21.92 % for JTR against supervised MTL (NYU-v2 randomlabels)", () => {
    const delta = deltaM([
      { task: 'segmentation', value: 37.08, baseline: 27.05, higherIsBetter: true },
      { task: 'depth', value: 0.5541, baseline: 0.6624, higherIsBetter: false },
      { task: 'normals', value: 29.44, baseline: 33.58, higherIsBetter: false },
    ]);
    expect(100 * delta!).toBeCloseTo(21.92, 2);
  });

  it('averages metrics within a task before averaging tasks', () => {
    const delta = deltaM([
      { task: 'segmentation', value: 0.3, baseline: 0.2, higherIsBetter: true },
      { task: 'segmentation', value: 0.2, baseline: 0.2, higherIsBetter: true },
      { task: 'depth', value: 0.5, baseline: 1, higherIsBetter: false },
    ]);
    expect(delta).toBeCloseTo((0.25 + 0.5) / 2, 12);
  });

  it('is undefined without terms or with a zero baseline', () => {
    expect(deltaM([])).toBeUndefined();
    expect(deltaM([{ task: 'a', value: 1, baseline: 0, higherIsBetter: true }])).toBeUndefined();
  });
});

describe('meanAndStd', () => {
  it('uses the sample standard deviation and omits it for one value', () => {
    expect(meanAndStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(meanAndStd([7])).toEqual({ mean: 7, std: undefined, n: 1 });
    expect(meanAndStd([])).toBeUndefined();
  });
});
