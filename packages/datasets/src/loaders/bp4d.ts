// BP4D-Spontaneous (Zhang et al., IVC 2014) AU occurrence files of the FERA 2015 release: `AUCoding/AU_OCC/
// <subject>_<task>.csv`, header `Frame,1,2,…` (AU numbers), values 0/1 and 9 = unknown (→ −1). The 12 FERA AUs are
// read by default. UNCONFIRMED: the frame image layout (`frameTemplate`, default `2DFaces/{subject}/{task}/{frame}.jpg`).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../formats/csv.js';
import {
  type AffectEntry,
  type AffectSampleSource,
  actionUnitTask,
  actionUnitVector,
  canonicalActionUnits,
  createAffectSource,
  expandFrameTemplate,
  integerCell,
  readAnnotationFile,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

export const bp4dActionUnits: readonly number[] = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];

export interface Bp4dOptions {
  readonly root: string;
  /** Folder of the occurrence CSVs, relative to `root`. */
  readonly occurrenceFolder: string;
  /** AUs read from the CSVs (must be columns of every file). */
  readonly annotatedActionUnits: readonly number[];
  readonly frameTemplate: string;
  readonly frameDigits: number;
  readonly actionUnits: readonly number[];
  readonly size: readonly [number, number];
}

export const bp4dDefaults: Omit<Bp4dOptions, 'root'> = {
  occurrenceFolder: 'AUCoding/AU_OCC',
  annotatedActionUnits: bp4dActionUnits,
  frameTemplate: '2DFaces/{subject}/{task}/{frame}.jpg',
  frameDigits: 0,
  actionUnits: canonicalActionUnits,
  size: [112, 112],
};

export async function createBp4dSource(
  options: Partial<Bp4dOptions> & { root: string },
): Promise<AffectSampleSource> {
  const resolved = { ...bp4dDefaults, ...options };
  const folder = join(resolved.root, resolved.occurrenceFolder);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => /^[^_]+_[^_]+\.csv$/.test(name)).sort();
  } catch {
    throw new Error(
      `BP4D: folder ${folder} not found (expected <root>/${resolved.occurrenceFolder}/<subject>_<task>.csv)`,
    );
  }
  const read = resolved.annotatedActionUnits.filter((au) => resolved.actionUnits.includes(au));
  const entries: AffectEntry[] = [];
  for (const name of names) {
    const file = join(folder, name);
    const [subject, task] = name.slice(0, -4).split('_') as [string, string];
    const rows = parseCsv(await readAnnotationFile(file, 'BP4D occurrence file'), file);
    const header = (rows.shift() ?? []).map((cell) => cell.trim());
    const columns = read.map((au) => {
      const index = header.indexOf(String(au));
      if (index < 0) throw new Error(`${file}: missing column for AU ${au} (header: ${header.join(',')})`);
      return index;
    });
    rows.forEach((row, r) => {
      const line = r + 2;
      if (row.length !== header.length)
        throw new Error(`${file}: line ${line} has ${row.length} fields, expected ${header.length}`);
      const frame = integerCell(row[0], file, line, 'Frame');
      const values = new Map<number, number>();
      read.forEach((au, k) => {
        const value = integerCell(row[columns[k]!], file, line, `AU ${au}`);
        if (value !== 0 && value !== 1 && value !== 9)
          throw new Error(`${file}: line ${line}: AU ${au} is ${value}, expected 0, 1 or 9`);
        values.set(au, value === 9 ? -1 : value);
      });
      const relativePath = expandFrameTemplate(
        resolved.frameTemplate,
        { subject, task },
        frame,
        resolved.frameDigits,
      );
      entries.push({
        image: resolveInside(resolved.root, relativePath, 'BP4D frameTemplate', 'frame path'),
        actionUnits: actionUnitVector(values, resolved.actionUnits),
      });
    });
  }
  return createAffectSource(entries, {
    datasetName: `BP4D (${resolved.root})`,
    tasks: [actionUnitTask(resolved.actionUnits)],
    size: resolved.size,
  });
}
