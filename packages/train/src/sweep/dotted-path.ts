// Dotted paths into plain JSON objects ("optimizer.learningRate"): read, and write with copy-on-write so the
// base config is never mutated. Array elements are addressed by numeric segments ("tasks.0.weight").

/** A deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined when any segment is missing. */
export function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** Sets `path` in `root` (in place), creating intermediate objects; the value is deep-copied. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  if (segments.some((segment) => segment.length === 0)) throw new Error(`invalid config path "${path}"`);
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const next: unknown = Array.isArray(node) ? node[Number(segment)] : node[segment];
    if (isRecord(next) || Array.isArray(next)) {
      node = next;
      continue;
    }
    if (next !== undefined && next !== null) {
      throw new Error(`config path "${path}": "${segments.slice(0, i + 1).join('.')}" is not an object`);
    }
    const created: Record<string, unknown> = {};
    if (Array.isArray(node)) node[Number(segment)] = created;
    else node[segment] = created;
    node = created;
  }
  const last = segments[segments.length - 1]!;
  if (Array.isArray(node)) node[Number(last)] = cloneJson(value);
  else node[last] = cloneJson(value);
}

/** Flattens numeric leaves into dotted paths (`{a: {b: 1}}` → `{'a.b': 1}`), skipping arrays. */
export function numericLeaves(root: unknown, prefix = ''): Record<string, number> {
  const leaves: Record<string, number> = {};
  if (!isRecord(root)) return leaves;
  for (const [key, value] of Object.entries(root)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number' && Number.isFinite(value)) leaves[path] = value;
    else if (isRecord(value)) Object.assign(leaves, numericLeaves(value, path));
  }
  return leaves;
}
