// End-to-end check of the case study on the REAL Fashion-MNIST files (Debian package dataset-fashion-mnist): 1 seed,
// 20 steps, 300 test images, all three methods, default backend (the pure-JS cpu backend is far too slow here).
// Asserts it runs, metrics are finite and in range, and the JSON line's shape — not that DM wins (the study's job).
import { selectBackend } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureConvolutionFilterGradient } from '../src/conv-filter-gradient.js';
import { assertFashionMnistFiles, loadStudyData } from '../src/fashion-data.js';
import { runStudy } from '../src/study.js';
import { parseStudyArguments, studyDefaults } from '../src/study-options.js';

const folder = studyDefaults.dataFolder;

beforeAll(async () => {
  await selectBackend({ warn: () => {} });
  ensureConvolutionFilterGradient();
});

describe('Fashion-MNIST files', () => {
  it('are installed (apt-get install dataset-fashion-mnist)', () => {
    // Fails with the install hint when the Debian package is missing; CI installs it.
    expect(() => assertFashionMnistFiles(folder)).not.toThrow();
  });

  it('a missing folder fails with the install hint', () => {
    expect(() => assertFashionMnistFiles('/nonexistent/fashion-mnist')).toThrow(
      /apt-get install dataset-fashion-mnist/,
    );
  });
});

describe('study data', () => {
  it('builds the disjoint split with a validation part carved from the unlabelled rest', async () => {
    assertFashionMnistFiles(folder);
    const data = await loadStudyData({ ...studyDefaults, validationSize: 1000 });
    expect(data.train.count).toBe(60000);
    expect(data.test.count).toBe(10000);
    expect(data.classRows).toHaveLength(600);
    expect(data.attributeRows).toHaveLength(30000);
    expect(data.validationRows).toHaveLength(1000);
    expect(data.unlabelledRows).toHaveLength(60000 - 600 - 30000 - 1000);
    const all = new Set([
      ...data.classRows,
      ...data.attributeRows,
      ...data.unlabelledRows,
      ...data.validationRows,
    ]);
    expect(all.size).toBe(60000);
    // Attributes follow the class through the table: a trouser (class 1) is lower-body, never upper-body.
    const trouser = data.train.classLabels.indexOf(1);
    expect(Array.from(data.train.attributes.subarray(trouser * 7, trouser * 7 + 2))).toEqual([0, 1]);
  });
});

describe('case study, small and fast', () => {
  it('runs STL, MTL and DM end to end on the real files with finite metrics in range', async () => {
    assertFashionMnistFiles(folder);
    const options = parseStudyArguments([
      '--seeds',
      '0',
      '--steps',
      '20',
      '--class-batch',
      '8',
      '--attribute-batch',
      '8',
      '--unlabelled-batch',
      '4',
      '--evaluation-limit',
      '300',
      '--validation-size',
      '100',
    ]);
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const result = await runStudy(options, (line) => lines.push(line));
    expect(tf.memory().numTensors).toBe(before);
    expect(result.evaluationCount).toBe(300);
    expect(result.outcomes.map((outcome) => outcome.method)).toEqual(['stl', 'mtl', 'dm']);
    for (const outcome of result.outcomes) {
      for (const value of [outcome.metrics.classAccuracy, outcome.metrics.classMacroF1]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      expect(Number.isFinite(outcome.finalLoss)).toBe(true);
      if (outcome.method === 'stl') expect(outcome.metrics.attributeMeanF1).toBeUndefined();
      else {
        expect(outcome.metrics.attributeMeanF1).toBeGreaterThanOrEqual(0);
        expect(outcome.metrics.attributeMeanF1).toBeLessThanOrEqual(1);
      }
    }
    const parsed = JSON.parse(result.jsonLine) as {
      case: string;
      results: Record<string, Record<string, unknown>>;
    };
    expect(parsed.case).toBe('fashion-mnist');
    expect(Object.keys(parsed.results)).toEqual(['stl', 'mtl', 'dm']);
    expect(parsed.results.stl?.attributeMeanF1).toBeNull();
    expect(parsed.results.dm?.classAccuracy).toMatchObject({
      mean: expect.any(Number),
      std: 0,
      runs: [expect.any(Number)],
    });
    expect(parsed.results.dm?.negativeTransfer).toBeTypeOf('object');
    expect(result.table).toContain('| (c) MTL + distribution matching | 1 |');
    expect(lines.some((line) => line.startsWith('Subsampling:'))).toBe(true);
  });
});
