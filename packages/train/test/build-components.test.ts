// The wiring of a run config to its components: the data's own relatedness handed to distribution matching, the
// network's SegNet stages handed to pairwise, the opened data set handed back with the components.
import { syntheticAffectRelatedness } from '@partial-mtl/datasets';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildComponents, disposeComponents } from '../src/build-components.js';
import { resolveRunConfig } from '../src/config-load.js';
import { openDataset } from '../src/dataset-sources.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const affectConfig = (regularizer: Record<string, unknown>) =>
  resolveRunConfig({
    dataset: { name: 'synthetic-affect', options: { size: 16, trainCount: 8, validationCount: 4 } },
    split: { scenario: 'onelabel' },
    model: { backbone: 'small-cnn', widthMultiplier: 0.25 },
    regularizer,
    training: { epochs: 1 },
  });

describe('buildComponents', () => {
  it('opens synthetic-affect with its generating relatedness; scenes have none', async () => {
    const affect = await openDataset(affectConfig({ name: 'none' }));
    expect(affect.relatedness).toEqual(syntheticAffectRelatedness);
    const scenes = await openDataset(
      resolveRunConfig({
        dataset: {
          name: 'synthetic-scenes',
          options: { height: 16, width: 16, trainCount: 4, validationCount: 2 },
        },
        training: { epochs: 1 },
      }),
    );
    expect(scenes.relatedness).toBeUndefined();
  });

  it('passes the rendering options of synthetic-affect through, checked', async () => {
    const withOptions = (options: Record<string, unknown>) =>
      openDataset(
        resolveRunConfig({
          dataset: {
            name: 'synthetic-affect',
            options: { size: 16, trainCount: 4, validationCount: 2, ...options },
          },
          training: { epochs: 1 },
        }),
      );
    await expect(withOptions({ attributeVisibility: 2 })).rejects.toThrow(
      /attributeVisibility must be in \[0, 1\], got 2/,
    );
    await expect(withOptions({ noise: 'loud' })).rejects.toThrow(
      /dataset.options.noise: expected a number, got "loud"/,
    );
    const hidden = await withOptions({ attributeVisibility: 0, noise: 0 });
    const shown = await withOptions({ noise: 0 });
    const [a, b] = [await hidden.train.read(1), await shown.train.read(1)];
    expect(a.labels).toEqual(b.labels);
    expect(a.image.data).not.toEqual(b.image.data);
  });

  it("hands the data's relatedness to distribution matching, and the user's option overrides it", async () => {
    const components = await buildComponents(affectConfig({ name: 'distribution-matching' }));
    expect(components.regularizer.name).toBe('distribution-matching');
    // The data set the components were built from comes with them (the alignment diagnostic reads it, not a re-open).
    expect(components.dataset.tasks).toBe(components.tasks);
    expect(components.dataset.train.length).toBe(8);
    disposeComponents(components);
    // A user matrix wins over the data's: a wrongly shaped one is refused by the regularizer, naming the shape.
    await expect(
      buildComponents(affectConfig({ name: 'distribution-matching', options: { relatedness: [[0.5]] } })),
    ).rejects.toThrow(/regularizer: distribution-matching: relatedness must be 7×8/);
    // Without the hand-off the default ('du2014') would be refused: attribute0..7 are not AU names.
    await expect(
      buildComponents(affectConfig({ name: 'distribution-matching', options: { relatedness: 'du2014' } })),
    ).rejects.toThrow(/'du2014' found no \(expression, AU\) pair/);
  });

  it("hands the SegNet's stages to pairwise, so its mapping output matches the bottleneck", async () => {
    const components = await buildComponents(
      resolveRunConfig({
        dataset: {
          name: 'synthetic-scenes',
          options: { height: 16, width: 16, trainCount: 4, validationCount: 2 },
        },
        model: { backbone: 'segnet', widthMultiplier: 0.125, backboneOptions: { stages: 2 } },
        regularizer: { name: 'pairwise' },
        training: { epochs: 1 },
      }),
    );
    const pairwise = components.regularizer as unknown as {
      settings: { stages: number; widthMultiplier: number };
    };
    expect(pairwise.settings).toMatchObject({ stages: 2, widthMultiplier: 0.125 });
    disposeComponents(components);
  });
});
