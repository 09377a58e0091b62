// The tiny grid the sweep tests plan: 2 seeds × 3 methods = 6 entries, baseline `none`, two tasks' metrics.
// Methods differ by a `bonus` the fake trainer turns into better metrics, so Δm is known by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface TinyGridOptions {
  steps?: number;
  stepMs?: number;
  seeds?: number[];
  methods?: Record<string, Record<string, unknown>>;
  grid?: Record<string, unknown[]>;
}

export const tinyMethods = {
  none: { bonus: 0 },
  pairwise: { bonus: 1 },
  jtr: { bonus: 2 },
};

/** Writes grid.yaml into `directory` and returns its path. */
export function writeTinyGrid(directory: string, options: TinyGridOptions = {}): string {
  mkdirSync(directory, { recursive: true });
  const grid = {
    name: 'tiny',
    base: { steps: options.steps ?? 4, stepMs: options.stepMs ?? 20, model: { width: 4 } },
    axes: { method: options.methods ?? tinyMethods },
    ...(options.grid ? { grid: options.grid } : {}),
    seeds: options.seeds ?? [0, 1],
    baseline: 'none',
    report: {
      metrics: [
        {
          name: 'mIoU',
          path: 'metrics.segmentation.mIoU',
          task: 'segmentation',
          higherIsBetter: true,
          scale: 100,
          digits: 2,
        },
        { name: 'absErr', path: 'metrics.depth.absErr', task: 'depth', higherIsBetter: false },
      ],
    },
  };
  const path = join(directory, 'grid.yaml');
  writeFileSync(path, stringify(grid));
  return path;
}
