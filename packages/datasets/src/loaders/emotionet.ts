// EmotioNet (Benitez-Quiroz et al., CVPR 2016) AU annotations as a CSV: an image column, then one column per AU
// (`AU1`, `AU 1` or `1`), values 1 present, 0 absent, 999 or −1 unknown (→ −1). UNCONFIRMED: the release lists image
// URLs; this loader expects paths relative to `imageRoot` (URLs and absolute paths are rejected).

import { parseCsv } from '../formats/csv.js';
import {
  type AffectSampleSource,
  actionUnitTask,
  actionUnitVector,
  canonicalActionUnits,
  createAffectSource,
  integerCell,
  readAnnotationFile,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

export interface EmotioNetOptions {
  readonly annotationFile: string;
  readonly imageRoot: string;
  /** Index of the image column. */
  readonly imageColumn: number;
  readonly actionUnits: readonly number[];
  readonly size: readonly [number, number];
}

export const emotioNetDefaults: Omit<EmotioNetOptions, 'annotationFile' | 'imageRoot'> = {
  imageColumn: 0,
  actionUnits: canonicalActionUnits,
  size: [112, 112],
};

export async function createEmotioNetSource(
  options: Partial<EmotioNetOptions> & Pick<EmotioNetOptions, 'annotationFile' | 'imageRoot'>,
): Promise<AffectSampleSource> {
  const resolved = { ...emotioNetDefaults, ...options };
  const file = resolved.annotationFile;
  const rows = parseCsv(await readAnnotationFile(file, 'EmotioNet annotation CSV'), file);
  const header = (rows.shift() ?? []).map((cell) => cell.trim());
  const auColumns = new Map<number, number>();
  header.forEach((name, index) => {
    const match = /^(?:AU\s*)?(\d+)$/i.exec(name);
    if (match && index !== resolved.imageColumn) auColumns.set(Number(match[1]), index);
  });
  if (auColumns.size === 0)
    throw new Error(
      `${file}: no AU columns (expected headers like AU1, AU 2 or 4; header: ${header.join(', ')})`,
    );
  const entries = rows.map((row, r) => {
    const line = r + 2;
    if (row.length !== header.length)
      throw new Error(`${file}: line ${line} has ${row.length} fields, expected ${header.length}`);
    const imageValue = row[resolved.imageColumn] ?? '';
    if (/^[a-z]+:\/\//i.test(imageValue.trim())) {
      throw new Error(
        `${file}: line ${line}: image '${imageValue}' is a URL; download the images and list paths relative to ${resolved.imageRoot}`,
      );
    }
    const values = new Map<number, number>();
    for (const [au, index] of auColumns) {
      if (!resolved.actionUnits.includes(au)) continue;
      const value = integerCell(row[index], file, line, `AU${au}`);
      if (value !== 0 && value !== 1 && value !== 999 && value !== -1) {
        throw new Error(`${file}: line ${line}: AU${au} is ${value}, expected 1, 0, 999 or -1`);
      }
      values.set(au, value === 999 ? -1 : value);
    }
    return {
      image: resolveInside(resolved.imageRoot, imageValue, `${file}: line ${line}`, 'image'),
      actionUnits: actionUnitVector(values, resolved.actionUnits),
    };
  });
  return createAffectSource(entries, {
    datasetName: `EmotioNet (${file})`,
    tasks: [actionUnitTask(resolved.actionUnits)],
    size: resolved.size,
  });
}
