// Cityscapes in the official layout (cityscapes-dataset.com; mcordts/cityscapesScripts `helpers/labels.py`):
// `leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png`, `gtFine/…/<stem>_gtFine_labelIds.png`, `disparity/…/<stem>_disparity.png`.
// Labels map to the 19 trainIds or the 7 categories (flat … vehicle; MTAN's 7-class mapping is unconfirmed, §3);
// disparity p > 0 → (p − 1) / 256 pixels (at 2048 px width), p = 0 invalid → 0. Resized to `size` (nearest for maps).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DenseArray,
  defineTask,
  type LabelMaskTable,
  type Sample,
  type SampleSource,
  type TaskSpec,
} from '@partial-mtl/core';
import { decodeImageRgb, decodeSingleChannel, resizeNearest } from './image-decoding.js';
import { checkIndex, type LabelMaskOption, resolveLabelMask, selectTasks } from './loader-support.js';

/** labelId → trainId (19 classes) from cityscapesScripts `labels.py`; every other id is ignored (−1). */
export const cityscapesTrainIds: Readonly<Record<number, number>> = {
  7: 0,
  8: 1,
  11: 2,
  12: 3,
  13: 4,
  17: 5,
  19: 6,
  20: 7,
  21: 8,
  22: 9,
  23: 10,
  24: 11,
  25: 12,
  26: 13,
  27: 14,
  28: 15,
  31: 16,
  32: 17,
  33: 18,
};

export const cityscapesTrainIdNames = [
  'road',
  'sidewalk',
  'building',
  'wall',
  'fence',
  'pole',
  'traffic light',
  'traffic sign',
  'vegetation',
  'terrain',
  'sky',
  'person',
  'rider',
  'car',
  'truck',
  'bus',
  'train',
  'motorcycle',
  'bicycle',
] as const;

/** The 7 categories of `labels.py` (catId 1..7 → 0..6); void (catId 0, labelIds 0..6) is ignored. */
export const cityscapesCategoryNames = [
  'flat',
  'construction',
  'object',
  'nature',
  'sky',
  'human',
  'vehicle',
] as const;

/** labelId → category (0..6) per `labels.py` categories; ids 0..6 (void) and unknown ids map to −1. */
export function cityscapesCategoryOf(labelId: number): number {
  if (labelId >= 7 && labelId <= 10) return 0; // road, sidewalk, parking, rail track
  if (labelId >= 11 && labelId <= 16) return 1; // building, wall, fence, guard rail, bridge, tunnel
  if (labelId >= 17 && labelId <= 20) return 2; // pole, polegroup, traffic light, traffic sign
  if (labelId === 21 || labelId === 22) return 3; // vegetation, terrain
  if (labelId === 23) return 4; // sky
  if (labelId === 24 || labelId === 25) return 5; // person, rider
  if (labelId >= 26 && labelId <= 33) return 6; // car … bicycle (incl. caravan, trailer)
  return -1;
}

export interface CityscapesOfficialOptions {
  readonly root: string;
  readonly split: 'train' | 'val' | 'test';
  /** 19 trainIds or the 7 categories. */
  readonly classes: 7 | 19;
  /** Output [height, width] (MTAN uses 128×256). */
  readonly size: readonly [number, number];
  /** Tasks to read by name (semseg, depth); all by default. */
  readonly tasks?: readonly string[];
  readonly labelMask?: LabelMaskOption;
  /** Multiplies the decoded disparity (pixels); 1 keeps pixels at full resolution. */
  readonly disparityScale: number;
}

export const cityscapesOfficialDefaults: Omit<CityscapesOfficialOptions, 'root'> = {
  split: 'train',
  classes: 7,
  size: [128, 256],
  disparityScale: 1,
};

export interface CityscapesOfficialSource extends SampleSource {
  /** Image stems (`<city>_<seq>_<frame>`), in sample order. */
  readonly stems: readonly string[];
  readonly labelMask: LabelMaskTable | undefined;
}

async function listStems(folder: string): Promise<string[]> {
  let cities: string[];
  try {
    cities = (await readdir(folder, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    throw new Error(`Cityscapes: folder ${folder} not found (expected <root>/leftImg8bit/<split>/<city>/)`);
  }
  const stems: string[] = [];
  for (const city of cities.sort()) {
    for (const name of (await readdir(join(folder, city))).sort()) {
      const match = /^(.+)_leftImg8bit\.png$/.exec(name);
      if (match) stems.push(`${city}/${match[1]}`);
    }
  }
  if (stems.length === 0) throw new Error(`Cityscapes: no *_leftImg8bit.png files under ${folder}`);
  return stems;
}

/** Opens the official Cityscapes layout; images and maps are decoded with sharp on demand. */
export async function createCityscapesOfficialSource(
  options: Partial<CityscapesOfficialOptions> & { root: string },
): Promise<CityscapesOfficialSource> {
  const resolved = { ...cityscapesOfficialDefaults, ...options };
  if (resolved.classes !== 7 && resolved.classes !== 19)
    throw new Error(`Cityscapes: classes must be 7 or 19, got ${String(resolved.classes)}`);
  const datasetName = `Cityscapes ${resolved.split}`;
  const allTasks: TaskSpec[] = [
    defineTask({
      name: 'semseg',
      kind: 'segmentation',
      channels: resolved.classes,
      ignoreValue: -1,
      labelNames: resolved.classes === 19 ? [...cityscapesTrainIdNames] : [...cityscapesCategoryNames],
    }),
    defineTask({ name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 }),
  ];
  const tasks = selectTasks(allTasks, resolved.tasks, datasetName);
  const stems = await listStems(join(resolved.root, 'leftImg8bit', resolved.split));
  const labelMask = await resolveLabelMask(
    resolved.labelMask,
    stems.length,
    allTasks.map((task) => task.name),
    datasetName,
  );
  const [height, width] = resolved.size;
  const lookup = new Int32Array(256).fill(-1);
  for (let id = 0; id < 256; id++)
    lookup[id] = resolved.classes === 19 ? (cityscapesTrainIds[id] ?? -1) : cityscapesCategoryOf(id);
  const pathOf = (folder: string, stem: string, suffix: string): string =>
    join(resolved.root, folder, resolved.split, `${stem}_${suffix}.png`);

  const readSemseg = async (stem: string): Promise<DenseArray> => {
    const file = pathOf('gtFine', stem, 'gtFine_labelIds');
    const map = await decodeSingleChannel(file, 8);
    const classes = new Int32Array(map.data.length);
    for (let i = 0; i < classes.length; i++) classes[i] = lookup[map.data[i]!]!;
    return { data: resizeNearest(classes, map.height, map.width, height, width), shape: [height, width] };
  };
  const readDisparity = async (stem: string): Promise<DenseArray> => {
    const file = pathOf('disparity', stem, 'disparity');
    const map = await decodeSingleChannel(file, 16);
    const values = new Float32Array(map.data.length);
    for (let i = 0; i < values.length; i++) {
      const raw = map.data[i]!;
      values[i] = raw > 0 ? ((raw - 1) / 256) * resolved.disparityScale : 0;
    }
    return { data: resizeNearest(values, map.height, map.width, height, width), shape: [height, width, 1] };
  };

  return {
    tasks,
    length: stems.length,
    stems,
    labelMask,
    async read(index: number): Promise<Sample> {
      checkIndex(index, stems.length, datasetName);
      const stem = stems[index]!;
      const image = await decodeImageRgb(pathOf('leftImg8bit', stem, 'leftImg8bit'), { size: resolved.size });
      const labels: Record<string, DenseArray> = {};
      for (const task of tasks) {
        if (labelMask && !labelMask.isLabelled(index, task.name)) continue;
        labels[task.name] = task.name === 'semseg' ? await readSemseg(stem) : await readDisparity(stem);
      }
      return { index, image, labels };
    },
  };
}
