// NYU-v2 in the MTAN preprocessed release (lorenmt/mtan `README.md`; readers: lorenmt/mtan
// `im2im_pred/create_dataset.py`, VICO-UoE/MTPSL `dataset/nyuv2ssl.py`): `<root>/{train,val}/{image,label,depth,normal}
// /<i>.npy`, 288×384, 13 classes (−1 ignore), depth in metres (0 invalid), unit normals (0 invalid). data-formats.md §2.
import { nyuv2Tasks } from '@partial-mtl/core';
import type { LabelMaskOption } from './loader-support.js';
import { type MtanLayoutTask, type MtanSampleSource, openMtanLayout } from './mtan-npy-layout.js';

export interface Nyuv2Options {
  readonly root: string;
  /** `val` is the only held-out split (654 images), used as the test set. */
  readonly split: 'train' | 'val';
  /** Tasks to read, by name (semseg, depth, normal); all by default. */
  readonly tasks?: readonly string[];
  /** Per-sample label mask (N×3, columns semseg/depth/normal) or the path of a split table. */
  readonly labelMask?: LabelMaskOption;
  readonly imageSize: readonly [number, number];
  readonly cacheSamples: boolean;
}

export const nyuv2Defaults: Omit<Nyuv2Options, 'root'> = {
  split: 'train',
  imageSize: [288, 384],
  cacheSamples: false,
};

const layout: readonly MtanLayoutTask[] = [
  { task: nyuv2Tasks[0]!, folder: 'label', encoding: 'class-ids' },
  { task: nyuv2Tasks[1]!, folder: 'depth', encoding: 'depth' },
  { task: nyuv2Tasks[2]!, folder: 'normal', encoding: 'normals' },
];

/** Opens the NYU-v2 MTAN layout; samples are read from disk on demand. */
export async function createNyuv2Source(
  options: Partial<Nyuv2Options> & { root: string },
): Promise<MtanSampleSource> {
  const resolved = { ...nyuv2Defaults, ...options };
  const datasetName = `NYU-v2 ${resolved.split}`;
  return openMtanLayout(
    resolved,
    layout,
    nyuv2Tasks.map((task) => task.name),
    datasetName,
  );
}
