// DISFA (Mavadati et al., IEEE TAC 2013): per-subject, per-AU intensity files `ActionUnit_Labels/<subject>/
// <subject>_au<N>.txt`, lines `<frame>,<intensity 0..5>`, for AUs 1 2 4 5 6 9 12 15 17 20 25 26; binarised at
// intensity ≥ 2 by default (the common protocol). DISFA ships videos: frame images are found through `frameTemplate`
// (UNCONFIRMED default `Images/{subject}/{frame}.png`, set it to your extraction layout). Other AUs are −1.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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

export const disfaActionUnits: readonly number[] = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];

export interface DisfaOptions {
  readonly root: string;
  /** Subjects to read (e.g. SN001); default every folder in `ActionUnit_Labels/`. */
  readonly subjects?: readonly string[];
  /** Intensity at or above which an AU counts as present. */
  readonly threshold: number;
  /** Frame image path inside `root`: `{subject}` and `{frame}` (1-based, padded to `frameDigits`). */
  readonly frameTemplate: string;
  readonly frameDigits: number;
  /** Output AU order (DISFA's AUs missing from it are dropped; its other AUs are −1). */
  readonly actionUnits: readonly number[];
  readonly size: readonly [number, number];
}

export const disfaDefaults: Omit<DisfaOptions, 'root'> = {
  threshold: 2,
  frameTemplate: 'Images/{subject}/{frame}.png',
  frameDigits: 0,
  actionUnits: canonicalActionUnits,
  size: [112, 112],
};

async function readIntensities(file: string): Promise<Map<number, number>> {
  const text = await readAnnotationFile(file, 'DISFA AU intensity file');
  const values = new Map<number, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/[,\s]+/);
    if (fields.length !== 2)
      throw new Error(`${file}: line ${i + 1}: expected '<frame>,<intensity>', got '${line}'`);
    const frame = integerCell(fields[0], file, i + 1, 'frame');
    const intensity = integerCell(fields[1], file, i + 1, 'intensity');
    if (intensity < 0 || intensity > 5)
      throw new Error(`${file}: line ${i + 1}: intensity ${intensity} is outside 0..5`);
    values.set(frame, intensity);
  });
  return values;
}

export async function createDisfaSource(
  options: Partial<DisfaOptions> & { root: string },
): Promise<AffectSampleSource> {
  const resolved = { ...disfaDefaults, ...options };
  const labelFolder = join(resolved.root, 'ActionUnit_Labels');
  let subjects = resolved.subjects;
  if (!subjects) {
    try {
      subjects = (await readdir(labelFolder, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    } catch {
      throw new Error(
        `DISFA: folder ${labelFolder} not found (expected <root>/ActionUnit_Labels/<subject>/<subject>_au<N>.txt)`,
      );
    }
  }
  const kept = disfaActionUnits.filter((au) => resolved.actionUnits.includes(au));
  const entries: AffectEntry[] = [];
  for (const subject of subjects) {
    const perUnit = new Map<number, Map<number, number>>();
    for (const au of kept)
      perUnit.set(au, await readIntensities(join(labelFolder, subject, `${subject}_au${au}.txt`)));
    const frames = [...(perUnit.get(kept[0]!)?.keys() ?? [])].sort((a, b) => a - b);
    for (const frame of frames) {
      const values = new Map<number, number>();
      for (const au of kept) {
        const intensity = perUnit.get(au)!.get(frame);
        if (intensity === undefined)
          throw new Error(
            `${join(labelFolder, subject, `${subject}_au${au}.txt`)}: frame ${frame} is missing`,
          );
        values.set(au, intensity >= resolved.threshold ? 1 : 0);
      }
      const relativePath = expandFrameTemplate(
        resolved.frameTemplate,
        { subject },
        frame,
        resolved.frameDigits,
      );
      entries.push({
        image: resolveInside(resolved.root, relativePath, 'DISFA frameTemplate', 'frame path'),
        actionUnits: actionUnitVector(values, resolved.actionUnits),
      });
    }
  }
  return createAffectSource(entries, {
    datasetName: `DISFA (${resolved.root})`,
    tasks: [actionUnitTask(resolved.actionUnits)],
    size: resolved.size,
  });
}
