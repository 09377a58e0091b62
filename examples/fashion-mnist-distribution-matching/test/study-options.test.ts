// Command-line flags of the study: defaults, parsing, and errors that name the flag.
import { describe, expect, it } from 'vitest';
import { parseStudyArguments, studyDefaults } from '../src/study-options.js';

describe('parseStudyArguments', () => {
  it('keeps the defaults: 1 % class, 50 % attributes, 3 seeds, all methods, test set', () => {
    const options = parseStudyArguments([]);
    expect(options).toEqual(studyDefaults);
    expect(options.classPart).toBe(0.01);
    expect(options.attributePart).toBe(0.5);
    expect(options.seeds).toEqual([0, 1, 2]);
    expect(options.methods).toEqual(['stl', 'mtl', 'dm']);
    expect(options.evaluateOn).toBe('test');
    expect(options.out).toBeUndefined();
  });

  it('parses both flag forms, lists and booleans', () => {
    const options = parseStudyArguments([
      '--class-part',
      '0.05',
      '--attribute-part=2000',
      '--seeds',
      '3,4',
      '--methods',
      'mtl,dm',
      '--flip',
      'false',
      '--coannotation',
      'off',
      '--out',
      'results',
    ]);
    expect(options).toMatchObject({
      classPart: 0.05,
      attributePart: 2000,
      seeds: [3, 4],
      methods: ['mtl', 'dm'],
      flip: false,
      coannotation: 'off',
      out: 'results',
    });
  });

  it('rejects unknown flags, bad values and missing values, naming the flag', () => {
    expect(() => parseStudyArguments(['--speed', '3'])).toThrow(/unknown argument '--speed'/);
    expect(() => parseStudyArguments(['--steps', '0'])).toThrow(/--steps: expected a positive integer/);
    expect(() => parseStudyArguments(['--class-part', '1.5'])).toThrow(/--class-part/);
    expect(() => parseStudyArguments(['--methods', 'stl,gradnorm'])).toThrow(
      /--methods: expected one of stl, mtl, dm/,
    );
    expect(() => parseStudyArguments(['--lambda-dm'])).toThrow(/--lambda-dm: missing value/);
    expect(() => parseStudyArguments(['--attribute-batch', '0'])).toThrow(/--attribute-batch/);
  });
});
