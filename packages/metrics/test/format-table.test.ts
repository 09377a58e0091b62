import { describe, expect, it } from 'vitest';
import {
  formatDelta,
  formatEvaluationResult,
  formatMetricValue,
  formatResultsTable,
  referenceResults,
  summarizeEvaluation,
} from '../src/index.js';

const jtrRow = { semseg: { mIoU: 0.3708 }, depth: { absErr: 0.5541 }, normal: { meanDeg: 29.44 } };

describe('evaluation result', () => {
  it('computes Δ for every baseline in percent and checks negative transfer on single-task references', () => {
    const result = summarizeEvaluation(jtrRow, {
      baselines: ['jtr/nyuv2-randomlabels', 'mtpsl/nyuv2-randomlabels'],
    });
    expect(result.deltas.map((delta) => [delta.flavour, delta.baseline, delta.percent.toFixed(2)])).toEqual([
      ['jtr', 'jtr/nyuv2-randomlabels', '21.92'],
      ['mtpsl', 'mtpsl/nyuv2-randomlabels', '17.98'],
    ]);
    expect(result.negativeTransfer.map((finding) => finding.task)).toEqual(['normal']);
    const custom = summarizeEvaluation(
      { depth: { absErr: 0.5, absRel: 0.2 } },
      {
        baselines: [{ name: 'epoch 0', flavour: 'libmtl', metrics: { depth: { absErr: 1, absRel: 0.2 } } }],
        singleTaskBaseline: { depth: { absErr: 0.4 } },
      },
    );
    expect(custom.deltas[0]?.percent).toBeCloseTo(25, 12);
    expect(custom.negativeTransfer[0]?.task).toBe('depth');
    expect(summarizeEvaluation(jtrRow).negativeTransfer).toEqual([]);
  });
});

describe('table formatters', () => {
  const rows = referenceResults.cityscapesOneLabel.slice(2).map((row) => ({
    name: row.method,
    metrics: row.metrics,
    deltaM: row.deltaPercent,
  }));

  it('prints a plain-text table with directions, paper units and signed Δm', () => {
    expect(formatResultsTable(rows, { format: 'text' })).toBe(
      [
        'name   semseg mIoU ↑  depth absErr ↓   Δm %',
        '-----  -------------  --------------  -----',
        'MTPSL          72.09          0.0168  +6.70',
        'JTR            72.33          0.0163  +8.22',
      ].join('\n'),
    );
  });

  it('prints a Markdown table with chosen columns, missing values and NaN', () => {
    const table = formatResultsTable(
      [
        { name: 'run', metrics: { semseg: { mIoU: Number.NaN } } },
        { name: 'other', metrics: { normal: { within11_25: 40.5 } } },
      ],
      {
        format: 'markdown',
        columns: [
          { task: 'semseg', metric: 'mIoU' },
          { task: 'normal', metric: 'within11_25' },
        ],
      },
    );
    expect(table).toBe(
      [
        '| name | semseg mIoU ↑ | normal within11_25 ↑ |',
        '| --- | ---: | ---: |',
        '| run | NaN | - |',
        '| other | - | 40.50 |',
      ].join('\n'),
    );
    expect(() => formatResultsTable([], { format: 'html' as 'text' })).toThrow(/unknown format 'html'/);
  });

  it('formats values, deltas and a whole evaluation result', () => {
    expect(formatMetricValue('absErr', 0.55412)).toBe('0.5541');
    expect(formatMetricValue('iou.wall', 0.5)).toBe('50.00');
    expect(formatDelta(-1.234)).toBe('-1.23');
    expect(formatDelta(undefined)).toBe('-');
    const result = summarizeEvaluation(jtrRow, {
      baselines: ['jtr/nyuv2-randomlabels', 'mtpsl/nyuv2-randomlabels'],
    });
    expect(formatEvaluationResult(result, { name: 'JTR' })).toBe(
      [
        'name  semseg mIoU ↑  depth absErr ↓  normal meanDeg ↓    Δm %',
        '----  -------------  --------------  ----------------  ------',
        'JTR           37.08          0.5541             29.44  +21.92',
        'Δm (jtr vs jtr/nyuv2-randomlabels): +21.92 %',
        'Δm (mtpsl vs mtpsl/nyuv2-randomlabels): +17.98 %',
        'Negative transfer:',
        'normal: -1.71 % vs single-task (meanDeg -1.71 %)',
      ].join('\n'),
    );
  });
});
