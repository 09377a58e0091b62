import type { Sample, SampleSource } from '@partial-mtl/core';
import { describe, expect, it } from 'vitest';
import {
  drawAttributes,
  validateRelatedness,
  withDerivedAttributes,
} from '../../src/attributes/derived-attributes.js';
import { disjointSplit } from '../../src/attributes/disjoint-split.js';
import {
  fashionAttributeNames,
  fashionAttributeRelatedness,
  fashionMnistClassNames,
} from '../../src/attributes/fashion-attributes.js';

function classSource(classes: number[]): SampleSource {
  return {
    tasks: [{ name: 'category', kind: 'multiclass', channels: 10 }],
    length: classes.length,
    async read(index: number): Promise<Sample> {
      return {
        index,
        image: { data: new Float32Array(4), shape: [2, 2, 1] },
        labels: { category: { data: Int32Array.of(classes[index]!), shape: [1] } },
      };
    },
  };
}

describe('Fashion-MNIST attribute table', () => {
  it('has a probability row per class and attribute', () => {
    expect(fashionMnistClassNames).toHaveLength(10);
    expect(() =>
      validateRelatedness(fashionAttributeRelatedness, 10, fashionAttributeNames.length),
    ).not.toThrow();
    expect(() => validateRelatedness([[0.5, 2]], 1, 2, 'table')).toThrow(
      /table\[0\]\[1\]: expected a probability/,
    );
  });

  it('draws fixed attributes exactly and varying ones at their rate, reproducibly', () => {
    const coat = drawAttributes(fashionAttributeRelatedness, 4, 1, 0);
    expect(Array.from(coat)).toEqual([1, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(drawAttributes(fashionAttributeRelatedness, 6, 3, 17))).toEqual(
      Array.from(drawAttributes(fashionAttributeRelatedness, 6, 3, 17)),
    );
    let longSleeves = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) longSleeves += drawAttributes(fashionAttributeRelatedness, 6, 3, i)[5]!;
    expect(longSleeves / n).toBeGreaterThan(0.56);
    expect(longSleeves / n).toBeLessThan(0.64);
  });

  it('adds the attribute task to a source', async () => {
    const source = withDerivedAttributes(classSource([8, 5]), {
      classTask: 'category',
      attributeTask: 'attributes',
      attributeNames: fashionAttributeNames,
      relatedness: fashionAttributeRelatedness,
      seed: 0,
    });
    expect(source.tasks.map((t) => `${t.name}:${t.kind}:${t.channels}`)).toEqual([
      'category:multiclass:10',
      'attributes:multilabel:7',
    ]);
    const bag = await source.read(0);
    expect(Array.from(bag.labels.attributes!.data)).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(bag.labels.category!.data[0]).toBe(8);
    expect(() =>
      withDerivedAttributes(classSource([1]), {
        classTask: 'missing',
        attributeTask: 'a',
        attributeNames: ['x'],
        relatedness: [[1]],
        seed: 0,
      }),
    ).toThrow(/no multiclass task 'missing'/);
  });
});

describe('disjointSplit', () => {
  it('labels disjoint parts of the requested sizes', () => {
    const split = disjointSplit({ rows: 1000, taskNames: ['category', 'attributes'], seed: 4 });
    expect(split.countsPerTask()).toEqual([10, 500]);
    expect(split.labelsPerRow()).toEqual({ '0': 490, '1': 510 });
    const same = disjointSplit({ rows: 1000, taskNames: ['category', 'attributes'], seed: 4 });
    expect(Array.from(same.flags)).toEqual(Array.from(split.flags));
    const counts = disjointSplit({
      rows: 100,
      taskNames: ['a', 'b'],
      firstTaskPart: 7,
      secondTaskPart: 20,
      seed: 1,
    });
    expect(counts.countsPerTask()).toEqual([7, 20]);
    expect(() =>
      disjointSplit({ rows: 10, taskNames: ['a', 'b'], firstTaskPart: 6, secondTaskPart: 6, seed: 1 }),
    ).toThrow(/exceed the data set's 10 rows/);
  });
});
