// Taskonomy (Zamir et al., CVPR 2018) in the public per-domain folder layout, Omnidata-era names: `<root>/<domain>/
// [<building>/]point_<p>_view_<v>_domain_<domain>.png` (README copy: baifengbai/taskonomy-sample-model-1). UNCONFIRMED
// (data-formats.md §7): folder names and encodings below are not checked against the release; override `folders`.
// Depth: 16-bit, 1/512 m, 65535 (128 m, sky/no mesh) invalid → 0. Normals: 8-bit, 127-centred. Others per `domains`.
import type { Dirent } from 'node:fs';
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
import { decodeImageRgb, decodeSingleChannel, type RawMap, resizeNearest } from './image-decoding.js';
import { checkIndex, type LabelMaskOption, resolveLabelMask } from './loader-support.js';

/** How a domain's PNG becomes a label. */
export type TaskonomyEncoding =
  | 'depth-16bit' // p / 512 metres; 65535 → 0 (invalid)
  | 'normal-rgb' // p / 255 · 2 − 1 per channel (127-centred); no invalid marker confirmed
  | 'grey-unit' // 8- or 16-bit grey divided by 255 or 65535 → [0, 1]
  | 'curvature-rgb' // first two channels, (p − 127) / 127 (zero curvature = 127)
  | 'class-ids'; // 8-bit class ids; ids ≥ classes → −1

export interface TaskonomyDomain {
  readonly task: TaskSpec;
  readonly encoding: TaskonomyEncoding;
}

/** The domains we can read, by name. Kinds and channel counts follow the encodings above (unconfirmed). */
export const taskonomyDomains: Readonly<Record<string, TaskonomyDomain>> = {
  depth_euclidean: {
    task: defineTask({ name: 'depth_euclidean', kind: 'depth', channels: 1, ignoreValue: 0 }),
    encoding: 'depth-16bit',
  },
  depth_zbuffer: {
    task: defineTask({ name: 'depth_zbuffer', kind: 'depth', channels: 1, ignoreValue: 0 }),
    encoding: 'depth-16bit',
  },
  normal: {
    task: defineTask({ name: 'normal', kind: 'normals', channels: 3, ignoreValue: 0 }),
    encoding: 'normal-rgb',
  },
  reshading: {
    task: defineTask({ name: 'reshading', kind: 'regression', channels: 1 }),
    encoding: 'grey-unit',
  },
  edge_texture: {
    task: defineTask({ name: 'edge_texture', kind: 'edges', channels: 1 }),
    encoding: 'grey-unit',
  },
  edge_occlusion: {
    task: defineTask({ name: 'edge_occlusion', kind: 'edges', channels: 1 }),
    encoding: 'grey-unit',
  },
  keypoints2d: {
    task: defineTask({ name: 'keypoints2d', kind: 'regression', channels: 1 }),
    encoding: 'grey-unit',
  },
  principal_curvature: {
    task: defineTask({ name: 'principal_curvature', kind: 'regression', channels: 2 }),
    encoding: 'curvature-rgb',
  },
  segment_semantic: {
    task: defineTask({ name: 'segment_semantic', kind: 'segmentation', channels: 18, ignoreValue: -1 }),
    encoding: 'class-ids',
  },
};

export interface TaskonomyOptions {
  readonly root: string;
  /** Domains to read, by name (any subset of `taskonomyDomains`). */
  readonly tasks: readonly string[];
  /** Folder per domain (default: the domain name); `rgb` for the images. */
  readonly folders?: Readonly<Record<string, string>>;
  /** Domain name used in file names (`…_domain_<name>.png`) per domain, for releases with other spellings. */
  readonly fileDomains?: Readonly<Record<string, string>>;
  /** Output [height, width]; images resize bilinearly, maps by nearest neighbour. Default: keep the file size. */
  readonly size?: readonly [number, number];
  /** Per-sample mask over `tasks` (in that order), or a split-table path. */
  readonly labelMask?: LabelMaskOption;
}

export interface TaskonomySource extends SampleSource {
  /** Sample ids: `[<building>/]point_<p>_view_<v>`, sorted. */
  readonly ids: readonly string[];
  readonly labelMask: LabelMaskTable | undefined;
}

const rgbPattern = /^(point_\d+_view_\d+)_domain_rgb\.png$/;

async function listIds(folder: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    throw new Error(
      `Taskonomy: folder ${folder} not found (expected <root>/rgb/[<building>/]point_<p>_view_<v>_domain_rgb.png)`,
    );
  }
  const ids: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) {
      for (const name of await readdir(join(folder, entry.name))) {
        const match = rgbPattern.exec(name);
        if (match) ids.push(`${entry.name}/${match[1]}`);
      }
    } else {
      const match = rgbPattern.exec(entry.name);
      if (match) ids.push(match[1]!);
    }
  }
  if (ids.length === 0) throw new Error(`Taskonomy: no point_*_view_*_domain_rgb.png files in ${folder}`);
  return ids.sort();
}

async function decodeDomain(
  file: string,
  domain: TaskonomyDomain,
  size: readonly [number, number] | undefined,
): Promise<DenseArray> {
  const { encoding, task } = domain;
  if (encoding === 'normal-rgb' || encoding === 'curvature-rgb') {
    const rgb = await decodeImageRgb(file, size ? { size } : {});
    const [height, width] = rgb.shape as [number, number, number];
    const channels = encoding === 'normal-rgb' ? 3 : 2;
    const out = new Float32Array(height * width * channels);
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < channels; c++) {
        const value = Math.round(rgb.data[p * 3 + c]! * 255);
        out[p * channels + c] = encoding === 'normal-rgb' ? (value / 255) * 2 - 1 : (value - 127) / 127;
      }
    }
    return { data: out, shape: [height, width, channels] };
  }
  let map: RawMap;
  try {
    map = await decodeSingleChannel(file, encoding === 'depth-16bit' ? 16 : 8);
  } catch (error) {
    if (encoding !== 'grey-unit' || !/expected a 8-bit image, got 16-bit/.test((error as Error).message))
      throw error;
    map = await decodeSingleChannel(file, 16);
  }
  const [height, width] = size ?? [map.height, map.width];
  const raw = resizeNearest(map.data, map.height, map.width, height, width);
  if (encoding === 'class-ids') {
    const ids = new Int32Array(raw.length);
    for (let i = 0; i < ids.length; i++) ids[i] = raw[i]! < task.channels ? raw[i]! : -1;
    return { data: ids, shape: [height, width] };
  }
  const values = new Float32Array(raw.length);
  const scale = encoding === 'depth-16bit' ? 1 / 512 : raw instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  for (let i = 0; i < values.length; i++) {
    values[i] = encoding === 'depth-16bit' && raw[i] === 65535 ? 0 : raw[i]! * scale;
  }
  return { data: values, shape: [height, width, 1] };
}

/** Opens a Taskonomy folder tree for the chosen domains; PNGs are decoded with sharp on demand. */
export async function createTaskonomySource(options: TaskonomyOptions): Promise<TaskonomySource> {
  if (options.tasks.length === 0) throw new Error('Taskonomy: options.tasks must name at least one domain');
  const domains = options.tasks.map((name) => {
    const domain = taskonomyDomains[name];
    if (!domain)
      throw new Error(
        `Taskonomy: unknown domain '${name}' (domains: ${Object.keys(taskonomyDomains).join(', ')})`,
      );
    return domain;
  });
  const folderOf = (domain: string): string => join(options.root, options.folders?.[domain] ?? domain);
  const ids = await listIds(folderOf('rgb'));
  const labelMask = await resolveLabelMask(options.labelMask, ids.length, options.tasks, 'Taskonomy');
  const fileOf = (domain: string, id: string): string =>
    join(folderOf(domain), `${id}_domain_${options.fileDomains?.[domain] ?? domain}.png`);
  return {
    tasks: domains.map((domain) => domain.task),
    length: ids.length,
    ids,
    labelMask,
    async read(index: number): Promise<Sample> {
      checkIndex(index, ids.length, 'Taskonomy');
      const id = ids[index]!;
      const image = await decodeImageRgb(fileOf('rgb', id), options.size ? { size: options.size } : {});
      const size = options.size ?? ([image.shape[0]!, image.shape[1]!] as const);
      const labels: Record<string, DenseArray> = {};
      for (const domain of domains) {
        if (labelMask && !labelMask.isLabelled(index, domain.task.name)) continue;
        labels[domain.task.name] = await decodeDomain(fileOf(domain.task.name, id), domain, size);
      }
      return { index, image, labels };
    },
  };
}
