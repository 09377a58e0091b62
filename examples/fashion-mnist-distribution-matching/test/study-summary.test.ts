// Mean ± std over seeds, negative transfer against STL, the table and the JSON line, on hand-made outcomes.
import { describe, expect, it } from 'vitest';
import { formatSummaryTable, meanAndSpread, resultJsonLine, summarizeRuns } from '../src/study-summary.js';
import type { RunOutcome } from '../src/train-run.js';

function outcome(
  method: RunOutcome['method'],
  seed: number,
  classAccuracy: number,
  attributeMeanF1?: number,
): RunOutcome {
  return {
    method,
    seed,
    metrics: {
      classAccuracy,
      classMacroF1: classAccuracy - 0.01,
      ...(attributeMeanF1 === undefined ? {} : { attributeMeanF1 }),
    },
    trainSeconds: 1,
    evaluationSeconds: 1,
    seen: { class: 1, attribute: 1, unlabelled: 0 },
    finalLoss: 0.5,
  };
}

describe('meanAndSpread', () => {
  it('uses the sample standard deviation', () => {
    const result = meanAndSpread([0.7, 0.8, 0.9]);
    expect(result.mean).toBeCloseTo(0.8, 12);
    expect(result.std).toBeCloseTo(0.1, 12);
    expect(meanAndSpread([0.5]).std).toBe(0);
    expect(() => meanAndSpread([])).toThrow(/no values/);
  });
});

describe('summarizeRuns', () => {
  const runs = [
    outcome('stl', 0, 0.7),
    outcome('stl', 1, 0.72),
    outcome('mtl', 0, 0.68, 0.8),
    outcome('mtl', 1, 0.69, 0.82),
    outcome('dm', 0, 0.75, 0.85),
    outcome('dm', 1, 0.77, 0.86),
  ];
  const summaries = summarizeRuns(runs);

  it('flags negative transfer of the class task against STL only where it is worse', () => {
    expect(summaries.stl?.negativeTransfer).toBeUndefined();
    expect(Object.keys(summaries.mtl?.negativeTransfer ?? {})).toEqual(['accuracy', 'macroF1']);
    expect(summaries.mtl?.negativeTransfer?.accuracy).toBeCloseTo((0.685 - 0.71) / 0.71, 12);
    expect(summaries.dm?.negativeTransfer).toEqual({});
    expect(summaries.stl?.attributeMeanF1).toBeNull();
    expect(summaries.dm?.attributeMeanF1?.mean).toBeCloseTo(0.855, 12);
  });

  it('prints a markdown table with mean ± std in percent and the negative-transfer verdicts', () => {
    const table = formatSummaryTable(summaries);
    expect(table).toContain('| (a) STL, class-labelled part | 2 | 71.00 ± 1.41 | 70.00 ± 1.41 | — |');
    expect(table).toContain('negative transfer mtl vs stl (class task): YES');
    expect(table).toContain('negative transfer dm vs stl (class task): none');
  });

  it('ends with one JSON line of the study shape', () => {
    const line = resultJsonLine(summaries);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as { case: string; results: Record<string, unknown> };
    expect(parsed.case).toBe('fashion-mnist');
    expect(Object.keys(parsed.results)).toEqual(['stl', 'mtl', 'dm']);
  });
});
