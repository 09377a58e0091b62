// Class → attribute relatedness matrices R[k, i] = p(attribute i on | class k) for distribution matching
// (Kollias, Sharmanska & Zafeiriou, arXiv 2401.01219): the expression → action-unit prior of Du, Tao & Martinez
// 2014 (PNAS 111(15), Table 1) and an empirical estimate from co-annotated data. The observational shares of the
// table are [U] (recalled, to be checked against the paper); the empirical formula is a project default [D].

/** One row of Du et al. 2014, Table 1: prototypical AUs (value 1) and observational AUs with their share [U]. */
interface ExpressionPrior {
  readonly prototypical: readonly number[];
  readonly observational: Readonly<Record<number, number>>;
}

/** Du, Tao & Martinez 2014, Table 1. Prototypical values are [C]; observational shares are [U]. */
export const du2014ExpressionPriors: Readonly<Record<string, ExpressionPrior>> = {
  happiness: { prototypical: [12, 25], observational: { 6: 0.51 } },
  sadness: { prototypical: [4, 15], observational: { 1: 0.6, 6: 0.5, 11: 0.26, 17: 0.67 } },
  fear: { prototypical: [1, 4, 20, 25], observational: { 2: 0.57, 5: 0.63, 26: 0.33 } },
  anger: { prototypical: [4, 7, 24], observational: { 10: 0.26, 17: 0.52, 23: 0.29 } },
  surprise: { prototypical: [1, 2, 25, 26], observational: { 5: 0.66 } },
  disgust: { prototypical: [9, 10, 17], observational: { 4: 0.31, 24: 0.26 } },
  neutral: { prototypical: [], observational: {} },
};

/** Canonical expression order [D]: the 7 basic expressions, then Contempt and Other (no Du row: zero rows). */
export const canonicalExpressionNames = [
  'Neutral',
  'Anger',
  'Disgust',
  'Fear',
  'Happiness',
  'Sadness',
  'Surprise',
  'Contempt',
  'Other',
] as const;

const expressionAliases: Readonly<Record<string, string>> = {
  happy: 'happiness',
  sad: 'sadness',
  angry: 'anger',
  surprised: 'surprise',
  disgusted: 'disgust',
  fearful: 'fear',
};

/** AU number of an attribute name such as 'AU12', 'au_12' or '12'; undefined when it names no AU. */
export function actionUnitNumber(name: string): number | undefined {
  const match = /^(?:au)?[\s_-]*(\d+)$/i.exec(name.trim());
  return match ? Number(match[1]) : undefined;
}

export interface Du2014Options {
  /** Value of observational AUs: their share of subjects [U], or 1 [U]. Default 'share' [D]. */
  readonly observationalValue: 'share' | 'one';
}

/**
 * R [K][M] from Du et al. 2014 for expression classes and AUs named by the tasks' labelNames. Classes without a
 * row (Contempt, Other, unknown names) give zero rows; attributes that name no AU give zero columns.
 */
export function du2014Relatedness(
  classNames: readonly string[],
  attributeNames: readonly string[],
  options: Du2014Options = { observationalValue: 'share' },
): number[][] {
  const auNumbers = attributeNames.map(actionUnitNumber);
  return classNames.map((className) => {
    const key = className.trim().toLowerCase();
    const prior = du2014ExpressionPriors[expressionAliases[key] ?? key];
    return auNumbers.map((au) => {
      if (!prior || au === undefined) return 0;
      if (prior.prototypical.includes(au)) return 1;
      const share = prior.observational[au];
      if (share === undefined) return 0;
      return options.observationalValue === 'one' ? 1 : share;
    });
  });
}

/** Co-annotated data for the empirical estimate: per sample a class id and M attribute labels (0/1, −1 unknown). */
export interface CoannotatedData {
  readonly classLabels: ArrayLike<number>;
  readonly attributeLabels: readonly ArrayLike<number>[];
}

/**
 * Empirical relatedness [D]: `R[k, i] = (n_ki + alpha) / (n_k + 2 alpha)`, `n_k` the samples of class k with
 * attribute i annotated, `n_ki` those of them with attribute i on. Samples with class −1 are skipped.
 */
export function estimateRelatedness(
  data: CoannotatedData,
  classCount: number,
  attributeCount: number,
  alpha = 1,
): number[][] {
  if (data.classLabels.length !== data.attributeLabels.length) {
    throw new Error(
      `estimateRelatedness: ${data.classLabels.length} class labels but ${data.attributeLabels.length} attribute rows`,
    );
  }
  const annotated = Array.from({ length: classCount }, () => new Array<number>(attributeCount).fill(0));
  const on = Array.from({ length: classCount }, () => new Array<number>(attributeCount).fill(0));
  for (let n = 0; n < data.classLabels.length; n++) {
    const k = data.classLabels[n]!;
    if (k < 0) continue;
    if (!Number.isInteger(k) || k >= classCount)
      throw new Error(`estimateRelatedness: class ${k} out of range`);
    const row = data.attributeLabels[n]!;
    if (row.length !== attributeCount) {
      throw new Error(
        `estimateRelatedness: sample ${n} has ${row.length} attributes, expected ${attributeCount}`,
      );
    }
    for (let i = 0; i < attributeCount; i++) {
      const value = row[i]!;
      if (value < 0) continue;
      annotated[k]![i]! += 1;
      if (value > 0.5) on[k]![i]! += 1;
    }
  }
  return annotated.map((counts, k) => counts.map((n, i) => (on[k]![i]! + alpha) / (n + 2 * alpha)));
}
