// Split tables stored as image-id lists per task: the PASCAL-Context files of VICO-UoE/MTPSL
// (`data/pascal_settings/{onelabel,randomlabels}.npy`, a 0-d object array holding `{task: [image ids]}`;
// data-formats.md §4). Rows follow `imageIds` when given, else the sorted union of all listed ids.
import { LabelMaskTable } from '@partial-mtl/core';
import { readObjectNpy } from '../formats/npy-object.js';

export interface ImageListSplitOptions {
  /** Row order (the data set's image ids); default: sorted union of the ids in the file. */
  readonly imageIds?: readonly string[];
  /** Column order; default: the file's task order. Must name exactly the file's tasks. */
  readonly taskNames?: readonly string[];
}

export interface ImageListSplit {
  readonly table: LabelMaskTable;
  readonly imageIds: readonly string[];
}

/** Converts `{task: [image ids]}` (a Map or a plain object) into a label-mask table. */
export function splitTableFromImageLists(
  value: unknown,
  file: string,
  options: ImageListSplitOptions = {},
): ImageListSplit {
  const entries: Array<[string, unknown]> =
    value instanceof Map
      ? [...value.entries()].map(([key, item]) => [String(key), item])
      : value && typeof value === 'object'
        ? Object.entries(value)
        : [];
  if (entries.length === 0) throw new Error(`${file}: expected a dict of task name → list of image ids`);
  const lists = new Map<string, string[]>();
  for (const [task, ids] of entries) {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new Error(`${file}: task '${task}' must map to a list of image id strings`);
    }
    lists.set(task, ids as string[]);
  }
  const taskNames = options.taskNames ?? [...lists.keys()];
  const fileTasks = [...lists.keys()];
  if (taskNames.length !== fileTasks.length || !taskNames.every((name) => lists.has(name))) {
    throw new Error(
      `${file}: tasks in the file are ${fileTasks.join(', ')}, but ${taskNames.join(', ')} were given`,
    );
  }
  const imageIds = options.imageIds ?? [...new Set([...lists.values()].flat())].sort();
  const rowOf = new Map(imageIds.map((id, row) => [id, row]));
  if (rowOf.size !== imageIds.length) throw new Error(`${file}: imageIds contains duplicates`);
  const flags = new Uint8Array(imageIds.length * taskNames.length);
  taskNames.forEach((task, column) => {
    for (const id of lists.get(task)!) {
      const row = rowOf.get(id);
      if (row === undefined)
        throw new Error(`${file}: task '${task}' lists image '${id}', which is not in imageIds`);
      flags[row * taskNames.length + column] = 1;
    }
  });
  return { table: new LabelMaskTable(taskNames, flags, imageIds.length), imageIds };
}

/** Reads a PASCAL-Context style `.npy` split (object array of `{task: [image ids]}`). */
export async function readSplitTableImageLists(
  path: string,
  options: ImageListSplitOptions = {},
): Promise<ImageListSplit> {
  return splitTableFromImageLists(await readObjectNpy(path), path, options);
}
