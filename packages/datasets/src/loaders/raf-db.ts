// RAF-DB basic (Li, Deng & Du, CVPR 2017) from its partition list `basic/EmoLabel/list_patition_label.txt` (sic):
// lines `train_00001.jpg 5`; codes 1 surprise, 2 fear, 3 disgust, 4 happiness, 5 sadness, 6 anger, 7 neutral.
// Images: `Image/aligned/<stem>_aligned.jpg` (100×100 aligned faces) or `Image/original/<name>`, resized to `size`
// (default 112×112 like the other affect loaders, so a union batches).
import { join } from 'node:path';
import {
  type AffectSampleSource,
  createAffectSource,
  expressionIndexOf,
  expressionTask,
  integerCell,
  readAnnotationFile,
} from './affect-common.js';
import { resolveInside } from './loader-support.js';

/** RAF-DB code (1..7) → canonical expression index. */
export const rafDbExpressionCodes: Readonly<Record<number, number>> = {
  1: expressionIndexOf('surprise'),
  2: expressionIndexOf('fear'),
  3: expressionIndexOf('disgust'),
  4: expressionIndexOf('happiness'),
  5: expressionIndexOf('sadness'),
  6: expressionIndexOf('anger'),
  7: expressionIndexOf('neutral'),
};

export interface RafDbOptions {
  /** The `basic/` folder. */
  readonly root: string;
  readonly split: 'train' | 'test';
  /** Partition list, relative to `root`. */
  readonly partitionFile: string;
  /** Read the aligned faces (`Image/aligned/<stem>_aligned.jpg`) or the originals (`Image/original/<name>`). */
  readonly aligned: boolean;
  readonly size: readonly [number, number];
}

export const rafDbDefaults: Omit<RafDbOptions, 'root'> = {
  split: 'train',
  partitionFile: 'EmoLabel/list_patition_label.txt',
  aligned: true,
  size: [112, 112],
};

export async function createRafDbSource(
  options: Partial<RafDbOptions> & { root: string },
): Promise<AffectSampleSource> {
  const resolved = { ...rafDbDefaults, ...options };
  const file = join(resolved.root, resolved.partitionFile);
  const text = await readAnnotationFile(file, 'RAF-DB partition list');
  const entries = text
    .split(/\r?\n/)
    .map((line, i) => ({ fields: line.trim().split(/\s+/), line: i + 1 }))
    .filter(({ fields }) => fields[0] !== '')
    .filter(({ fields }) => fields[0]!.startsWith(`${resolved.split}_`))
    .map(({ fields, line }) => {
      if (fields.length !== 2)
        throw new Error(`${file}: line ${line}: expected '<image> <label>', got '${fields.join(' ')}'`);
      const code = integerCell(fields[1], file, line, 'label');
      const expression = rafDbExpressionCodes[code];
      if (expression === undefined) throw new Error(`${file}: line ${line}: label ${code} is outside 1..7`);
      const name = fields[0]!;
      const relativePath = resolved.aligned
        ? `Image/aligned/${name.replace(/\.[^.]+$/, '')}_aligned.jpg`
        : `Image/original/${name}`;
      return {
        image: resolveInside(resolved.root, relativePath, `${file}: line ${line}`, 'image name'),
        expression,
      };
    });
  return createAffectSource(entries, {
    datasetName: `RAF-DB ${resolved.split} (${file})`,
    tasks: [expressionTask()],
    size: resolved.size,
  });
}
