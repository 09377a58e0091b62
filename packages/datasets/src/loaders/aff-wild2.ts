// Aff-Wild2 (Kollias & Zafeiriou, ABAW) per-video annotation text files: `<expressionFolder>/<split>/<video>.txt`
// (header `Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other`, then one code per frame, −1 = not annotated)
// and `<actionUnitFolder>/<split>/<video>.txt` (header `AU1,AU2,…`, rows of 0/1/−1). Frame n (1-based) is
// `<imageFolder>/<video>/<n:05>.jpg` (the cropped-aligned release); frames without an image are skipped by default.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskSpec } from '@partial-mtl/core';
import {
  type AffectEntry,
  type AffectSampleSource,
  actionUnitTask,
  actionUnitVector,
  canonicalActionUnits,
  createAffectSource,
  expressionIndexOf,
  expressionTask,
  integerCell,
  readAnnotationFile,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

/** Aff-Wild2 expression code (0..6) → canonical index; 7 (other) and −1 have no expression label. */
export const affWild2ExpressionCodes: readonly number[] = [
  'neutral',
  'anger',
  'disgust',
  'fear',
  'happiness',
  'sadness',
  'surprise',
].map(expressionIndexOf);

export interface AffWild2Options {
  readonly root: string;
  /** Split folder name inside the annotation folders. */
  readonly split: string;
  /** Expression annotation folder relative to `root`; null to skip expressions. */
  readonly expressionFolder: string | null;
  /** AU annotation folder relative to `root`; null to skip AUs. */
  readonly actionUnitFolder: string | null;
  readonly imageFolder: string;
  readonly frameDigits: number;
  readonly imageExtension: string;
  /** Drop frames whose image is absent (one directory listing per video). */
  readonly skipMissingImages: boolean;
  readonly actionUnits: readonly number[];
  readonly size: readonly [number, number];
}

export const affWild2Defaults: Omit<AffWild2Options, 'root'> = {
  split: 'Train_Set',
  expressionFolder: 'Annotations/EXPR_Set',
  actionUnitFolder: 'Annotations/AU_Set',
  imageFolder: 'cropped_aligned',
  frameDigits: 5,
  imageExtension: '.jpg',
  skipMissingImages: true,
  actionUnits: canonicalActionUnits,
  size: [112, 112],
};

async function listVideos(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((name) => name.endsWith('.txt')).map((name) => name.slice(0, -4));
  } catch {
    throw new Error(`Aff-Wild2: annotation folder ${folder} not found`);
  }
}

function dataLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim());
}

async function readExpressions(file: string): Promise<Array<number | undefined>> {
  const lines = dataLines(await readAnnotationFile(file, 'Aff-Wild2 expression file'));
  if (
    !/^neutral,anger,disgust,fear,happiness,sadness,surprise(,other)?$/i.test(
      lines[0]?.replace(/\s/g, '') ?? '',
    )
  ) {
    throw new Error(
      `${file}: line 1: expected the header 'Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other', got '${lines[0] ?? ''}'`,
    );
  }
  const out: Array<number | undefined> = [];
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    const code = integerCell(line, file, i + 2, 'expression');
    if (code < -1 || code > 7) throw new Error(`${file}: line ${i + 2}: expression ${code} is outside -1..7`);
    out.push(code >= 0 && code <= 6 ? affWild2ExpressionCodes[code] : undefined);
  });
  return out;
}

async function readActionUnits(file: string, actionUnits: readonly number[]): Promise<Int32Array[]> {
  const lines = dataLines(await readAnnotationFile(file, 'Aff-Wild2 AU file'));
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const numbers = header.map((name) => {
    const match = /^AU(\d+)$/i.exec(name);
    if (!match) throw new Error(`${file}: line 1: header entry '${name}' is not an AU name like AU12`);
    return Number(match[1]);
  });
  const out: Int32Array[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    const fields = line.split(',');
    if (fields.length !== numbers.length)
      throw new Error(`${file}: line ${i + 2} has ${fields.length} fields, expected ${numbers.length}`);
    const values = new Map<number, number>();
    numbers.forEach((au, k) => {
      const value = integerCell(fields[k], file, i + 2, `AU${au}`);
      if (value !== 0 && value !== 1 && value !== -1)
        throw new Error(`${file}: line ${i + 2}: AU${au} is ${value}, expected 0, 1 or -1`);
      values.set(au, value);
    });
    out.push(actionUnitVector(values, actionUnits));
  });
  return out;
}

export async function createAffWild2Source(
  options: Partial<AffWild2Options> & { root: string },
): Promise<AffectSampleSource> {
  const resolved = { ...affWild2Defaults, ...options };
  if (resolved.expressionFolder === null && resolved.actionUnitFolder === null) {
    throw new Error('Aff-Wild2: at least one of expressionFolder and actionUnitFolder must be set');
  }
  const expressionRoot =
    resolved.expressionFolder === null
      ? undefined
      : join(resolved.root, resolved.expressionFolder, resolved.split);
  const actionUnitRoot =
    resolved.actionUnitFolder === null
      ? undefined
      : join(resolved.root, resolved.actionUnitFolder, resolved.split);
  const videos = new Set<string>();
  const expressionVideos = new Set(expressionRoot ? await listVideos(expressionRoot) : []);
  const actionUnitVideos = new Set(actionUnitRoot ? await listVideos(actionUnitRoot) : []);
  for (const video of [...expressionVideos, ...actionUnitVideos]) videos.add(video);
  const entries: AffectEntry[] = [];
  for (const video of [...videos].sort()) {
    const expressions = expressionVideos.has(video)
      ? await readExpressions(join(expressionRoot!, `${video}.txt`))
      : [];
    const units = actionUnitVideos.has(video)
      ? await readActionUnits(join(actionUnitRoot!, `${video}.txt`), resolved.actionUnits)
      : [];
    const videoFolder = resolveInside(
      join(resolved.root, resolved.imageFolder),
      video,
      `Aff-Wild2 ${video}`,
      'video name',
    );
    let images: Set<string> | undefined;
    if (resolved.skipMissingImages) {
      images = new Set(await readdir(videoFolder).catch(() => [] as string[]));
    }
    for (let frame = 1; frame <= Math.max(expressions.length, units.length); frame++) {
      const expression = expressions[frame - 1];
      const actionUnits = units[frame - 1]?.some((value) => value !== -1) ? units[frame - 1] : undefined;
      if (expression === undefined && actionUnits === undefined) continue;
      const name = `${String(frame).padStart(resolved.frameDigits, '0')}${resolved.imageExtension}`;
      if (images && !images.has(name)) continue;
      entries.push({
        image: join(videoFolder, name),
        ...(expression !== undefined ? { expression } : {}),
        ...(actionUnits ? { actionUnits } : {}),
      });
    }
  }
  const tasks: TaskSpec[] = [];
  if (expressionRoot) tasks.push(expressionTask());
  if (actionUnitRoot) tasks.push(actionUnitTask(resolved.actionUnits));
  return createAffectSource(entries, {
    datasetName: `Aff-Wild2 ${resolved.split} (${resolved.root})`,
    tasks,
    size: resolved.size,
  });
}
