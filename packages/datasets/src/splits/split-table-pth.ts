// Split tables saved by `torch.save` (MTPSL/JTR: `{'labels_weights': FloatTensor[N, T]}`, data-formats.md §4;
// VICO-UoE/MTPSL `data/*_settings/*.pth`, KentoNishi/JTR-CVPR-2024 `code/data/`). The files carry no task names.
import type { LabelMaskTable } from '@partial-mtl/core';
import { isTorchTensor, readTorchFile, type TorchTensor } from '../formats/pth.js';
import { tableFromValues } from './table-values.js';

/** Turns the unpickled content of a split-table `.pth` into a label-mask table. */
export function splitTableFromTorch(
  value: unknown,
  file: string,
  taskNames?: readonly string[],
): LabelMaskTable {
  let tensor: TorchTensor | undefined;
  if (isTorchTensor(value)) tensor = value;
  else if (value instanceof Map) {
    const candidate = value.get('labels_weights') ?? (value.size === 1 ? [...value.values()][0] : undefined);
    if (isTorchTensor(candidate)) tensor = candidate;
  }
  if (!tensor)
    throw new Error(`${file}: expected a dict with a 'labels_weights' tensor (or a single N×T tensor)`);
  if (tensor.shape.length !== 2) {
    throw new Error(`${file}: 'labels_weights' must be 2-D (N×T), got shape (${tensor.shape.join(', ')})`);
  }
  const [rows, columns] = tensor.shape as [number, number];
  return tableFromValues(tensor.data, rows, columns, file, taskNames);
}

/** Reads a split-table `.pth` (legacy or zip torch format). */
export async function readSplitTablePth(
  path: string,
  taskNames?: readonly string[],
): Promise<LabelMaskTable> {
  return splitTableFromTorch(await readTorchFile(path), path, taskNames);
}
