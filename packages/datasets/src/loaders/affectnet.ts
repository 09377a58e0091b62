// AffectNet (Mollahosseini et al., IEEE TAC 2017) from its annotation CSV (`training.csv` / `validation.csv`):
// subDirectory_filePath, face_x, face_y, face_width, face_height, facial_landmarks, expression, valence, arousal.
// Codes 0–6 are the canonical 7 expressions; 7 contempt, 8 none, 9 uncertain, 10 no-face are skipped (our choice).
// Valence/arousal of −2 (not given) leave that label absent. Faces are cropped to the CSV box and resized.
import type { TaskSpec } from '@partial-mtl/core';
import { parseCsv } from '../formats/csv.js';
import {
  type AffectEntry,
  type AffectSampleSource,
  createAffectSource,
  expressionTask,
  integerCell,
  readAnnotationFile,
  valenceArousalTask,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

export interface AffectNetOptions {
  /** Folder the `subDirectory_filePath` column is relative to (e.g. `Manually_Annotated_Images`). */
  readonly imageRoot: string;
  /** The annotation CSV. */
  readonly annotationFile: string;
  readonly size: readonly [number, number];
  /** Also produce a `valenceArousal` regression label. */
  readonly includeValenceArousal: boolean;
  /** Crop faces to the CSV box (when the box columns are filled). */
  readonly cropFaces: boolean;
}

export const affectNetDefaults: Omit<AffectNetOptions, 'imageRoot' | 'annotationFile'> = {
  size: [112, 112],
  includeValenceArousal: false,
  cropFaces: true,
};

const requiredColumns = ['subDirectory_filePath', 'expression'] as const;

/** Reads AffectNet's CSV and returns a lazy source of face crops with `expression` (and optionally valence/arousal). */
export async function createAffectNetSource(
  options: Partial<AffectNetOptions> & Pick<AffectNetOptions, 'imageRoot' | 'annotationFile'>,
): Promise<AffectSampleSource> {
  const resolved = { ...affectNetDefaults, ...options };
  const file = resolved.annotationFile;
  const rows = parseCsv(await readAnnotationFile(file, 'AffectNet annotation CSV'), file);
  const header = (rows.shift() ?? []).map((cell) => cell.trim());
  for (const column of requiredColumns) {
    if (!header.includes(column))
      throw new Error(`${file}: missing column '${column}' (header: ${header.join(', ')})`);
  }
  const column = (name: string): number => header.indexOf(name);
  const boxColumns = ['face_x', 'face_y', 'face_width', 'face_height'].map(column);
  const entries: AffectEntry[] = [];
  rows.forEach((row, r) => {
    const line = r + 2;
    if (row.length !== header.length)
      throw new Error(`${file}: line ${line} has ${row.length} fields, expected ${header.length}`);
    const code = integerCell(row[column('expression')], file, line, 'expression');
    if (code < 0 || code > 10) throw new Error(`${file}: line ${line}: expression ${code} is outside 0..10`);
    if (code > 6) return;
    const image = resolveInside(
      resolved.imageRoot,
      row[column('subDirectory_filePath')]!,
      `${file}: line ${line}`,
      'subDirectory_filePath',
    );
    let crop: AffectEntry['crop'];
    if (resolved.cropFaces && boxColumns.every((index) => index >= 0 && (row[index] ?? '').trim() !== '')) {
      const [left, top, width, height] = boxColumns.map((index) => Number(row[index]));
      if (
        ![left, top, width, height].every((value) => Number.isFinite(value)) ||
        width! <= 0 ||
        height! <= 0
      ) {
        throw new Error(
          `${file}: line ${line}: face box (${boxColumns.map((index) => row[index]).join(', ')}) is not a positive rectangle`,
        );
      }
      crop = { left: left!, top: top!, width: width!, height: height! };
    }
    let valenceArousal: [number, number] | undefined;
    if (resolved.includeValenceArousal && column('valence') >= 0 && column('arousal') >= 0) {
      const valence = Number(row[column('valence')]);
      const arousal = Number(row[column('arousal')]);
      if (valence !== -2 && arousal !== -2) {
        if (!(Math.abs(valence) <= 1 && Math.abs(arousal) <= 1)) {
          throw new Error(
            `${file}: line ${line}: valence/arousal (${row[column('valence')]}, ${row[column('arousal')]}) outside [-1, 1]`,
          );
        }
        valenceArousal = [valence, arousal];
      }
    }
    entries.push({
      image,
      expression: code,
      ...(crop ? { crop } : {}),
      ...(valenceArousal ? { valenceArousal } : {}),
    });
  });
  const tasks: TaskSpec[] = [expressionTask()];
  if (resolved.includeValenceArousal) tasks.push(valenceArousalTask());
  return createAffectSource(entries, { datasetName: `AffectNet (${file})`, tasks, size: resolved.size });
}
