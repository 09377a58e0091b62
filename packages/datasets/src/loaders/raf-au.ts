// RAF-AU (Yan et al., ACII 2020): one line per image, `<image> <AU combination>` with AUs joined by '+', optional
// L/R side prefixes (e.g. `L12`) and `null` for none. UNCONFIRMED: file name and layout are not checked against the
// release; every AU of the AU list counts as annotated (absent → 0); AUs outside the list are dropped.
import { dirname } from 'node:path';
import {
  type AffectSampleSource,
  actionUnitTask,
  actionUnitVector,
  canonicalActionUnits,
  createAffectSource,
  readAnnotationFile,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

export interface RafAuOptions {
  readonly annotationFile: string;
  /** Folder the image names are relative to (default: the annotation file's folder). */
  readonly imageRoot?: string;
  readonly actionUnits: readonly number[];
  readonly size: readonly [number, number];
}

export const rafAuDefaults: Omit<RafAuOptions, 'annotationFile'> = {
  actionUnits: canonicalActionUnits,
  size: [112, 112],
};

export async function createRafAuSource(
  options: Partial<RafAuOptions> & { annotationFile: string },
): Promise<AffectSampleSource> {
  const resolved = { ...rafAuDefaults, ...options };
  const file = resolved.annotationFile;
  const imageRoot = resolved.imageRoot ?? dirname(file);
  const text = await readAnnotationFile(file, 'RAF-AU annotation file');
  const entries = text
    .split(/\r?\n/)
    .map((line, i) => ({ fields: line.trim().split(/\s+/), line: i + 1 }))
    .filter(({ fields }) => fields[0] !== '')
    .map(({ fields, line }) => {
      if (fields.length !== 2)
        throw new Error(`${file}: line ${line}: expected '<image> <AU+AU+…>', got '${fields.join(' ')}'`);
      const values = new Map<number, number>(resolved.actionUnits.map((au) => [au, 0]));
      if (fields[1]!.toLowerCase() !== 'null') {
        for (const token of fields[1]!.split('+')) {
          const match = /^[LRB]?(\d+)$/i.exec(token);
          if (!match)
            throw new Error(`${file}: line ${line}: AU '${token}' is not a number (optionally prefixed L/R)`);
          const au = Number(match[1]);
          if (values.has(au)) values.set(au, 1);
        }
      }
      return {
        image: resolveInside(imageRoot, fields[0]!, `${file}: line ${line}`, 'image name'),
        actionUnits: actionUnitVector(values, resolved.actionUnits),
      };
    });
  return createAffectSource(entries, {
    datasetName: `RAF-AU (${file})`,
    tasks: [actionUnitTask(resolved.actionUnits)],
    size: resolved.size,
  });
}
