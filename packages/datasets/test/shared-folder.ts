// Test helper: the shared/ folder beside the repository root (the folder holding pnpm-workspace.yaml).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repositoryRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(folder, 'pnpm-workspace.yaml'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('pnpm-workspace.yaml not found above the test folder');
    folder = parent;
  }
  return folder;
}

export function sharedFolder(): string {
  return resolve(repositoryRoot(), '..', 'shared');
}
