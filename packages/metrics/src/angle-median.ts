// Median of a stream of angles in degrees. The official JTR/MTPSL code has no median; LibMTL takes the exact
// median over every valid pixel of the set. 'histogram' (default) counts 0.01° bins over [0, 180] (18,000 bins,
// error ≤ half a bin) so memory stays fixed for NYU's ~72M angles; 'exact' keeps every angle (Node, small sets).

export type MedianMode = 'histogram' | 'exact';

export interface AngleMedianOptions {
  readonly mode: MedianMode;
  /** Bin width of the histogram in degrees; 1 / binDegrees must be an integer. */
  readonly binDegrees: number;
}

export const angleMedianDefaults: AngleMedianOptions = { mode: 'histogram', binDegrees: 0.01 };

export interface AngleMedian {
  add(angleDegrees: number): void;
  /** Median of the angles added (mean of the two middle ones for an even count); NaN when empty. */
  median(): number;
  reset(): void;
}

function createHistogramMedian(binDegrees: number): AngleMedian {
  const binsPerDegree = Math.round(1 / binDegrees);
  if (!(binsPerDegree >= 1) || Math.abs(binsPerDegree * binDegrees - 1) > 1e-9) {
    throw new Error(`normals median: binDegrees must divide 1° evenly (e.g. 0.01), got ${binDegrees}`);
  }
  const binCount = 180 * binsPerDegree;
  let counts = new Float64Array(binCount);
  let total = 0;
  const valueAtRank = (rank: number): number => {
    let cumulative = 0;
    for (let bin = 0; bin < binCount; bin++) {
      cumulative += counts[bin]!;
      if (cumulative > rank) return (bin + 0.5) / binsPerDegree;
    }
    return 180;
  };
  return {
    add(angleDegrees: number): void {
      const bin = Math.min(Math.max(Math.floor(angleDegrees * binsPerDegree), 0), binCount - 1);
      counts[bin]! += 1;
      total += 1;
    },
    median(): number {
      if (total === 0) return Number.NaN;
      return (valueAtRank(Math.floor((total - 1) / 2)) + valueAtRank(Math.floor(total / 2))) / 2;
    },
    reset(): void {
      counts = new Float64Array(binCount);
      total = 0;
    },
  };
}

function createExactMedian(): AngleMedian {
  let angles = new Float64Array(1024);
  let count = 0;
  return {
    add(angleDegrees: number): void {
      if (count === angles.length) {
        const grown = new Float64Array(angles.length * 2);
        grown.set(angles);
        angles = grown;
      }
      angles[count++] = angleDegrees;
    },
    median(): number {
      if (count === 0) return Number.NaN;
      const sorted = angles.slice(0, count).sort();
      return (sorted[Math.floor((count - 1) / 2)]! + sorted[Math.floor(count / 2)]!) / 2;
    },
    reset(): void {
      angles = new Float64Array(1024);
      count = 0;
    },
  };
}

export function createAngleMedian(options: Partial<AngleMedianOptions> = {}): AngleMedian {
  const settings = { ...angleMedianDefaults, ...options };
  return settings.mode === 'exact' ? createExactMedian() : createHistogramMedian(settings.binDegrees);
}
