// Cityscapes in the MTAN 128×256 release (lorenmt/mtan `README.md`; readers: VICO-UoE/MTPSL, KentoNishi/JTR-CVPR-2024,
// median-research-group/LibMTL `examples/cityscapes/create_dataset.py`): `<root>/{train,val}/{image,label_7,depth}/
// <i>.npy`. Label folder configurable (LibMTL reads `label/`); the 7-class mapping is unconfirmed (data-formats.md §3).
import { cityscapesTasks, defineTask } from '@partial-mtl/core';
import type { LabelMaskOption } from './loader-support.js';
import { type MtanLayoutTask, type MtanSampleSource, openMtanLayout } from './mtan-npy-layout.js';

export interface CityscapesMtanOptions {
  readonly root: string;
  readonly split: 'train' | 'val';
  /** Folder of the segmentation labels: `label_7` (MTPSL, JTR), `label` (LibMTL), or the 2/19-class folders. */
  readonly labelFolder: string;
  /** Classes in `labelFolder` (7 for `label_7`). */
  readonly classes: number;
  /** Tasks to read, by name (semseg, depth); all by default. */
  readonly tasks?: readonly string[];
  /** Per-sample label mask (N×2, columns semseg/depth) or the path of a split table. */
  readonly labelMask?: LabelMaskOption;
  readonly imageSize: readonly [number, number];
  readonly cacheSamples: boolean;
}

export const cityscapesMtanDefaults: Omit<CityscapesMtanOptions, 'root'> = {
  split: 'train',
  labelFolder: 'label_7',
  classes: 7,
  imageSize: [128, 256],
  cacheSamples: false,
};

/** Opens the Cityscapes MTAN layout (depth is inverse depth, 0 invalid); samples are read on demand. */
export async function createCityscapesMtanSource(
  options: Partial<CityscapesMtanOptions> & { root: string },
): Promise<MtanSampleSource> {
  const resolved = { ...cityscapesMtanDefaults, ...options };
  const datasetName = `Cityscapes (MTAN) ${resolved.split}`;
  const semseg =
    resolved.classes === 7
      ? cityscapesTasks[0]!
      : defineTask({ ...cityscapesTasks[0]!, channels: resolved.classes });
  const layout: MtanLayoutTask[] = [
    { task: semseg, folder: resolved.labelFolder, encoding: 'class-ids' },
    { task: cityscapesTasks[1]!, folder: 'depth', encoding: 'depth' },
  ];
  return openMtanLayout(
    resolved,
    layout,
    cityscapesTasks.map((task) => task.name),
    datasetName,
  );
}
