// Crash-safe checkpoints: each save goes to a fresh temporary directory (files fsynced), which is renamed to a
// versioned directory, and only then the pointer `current.json` (naming the version and its manifest's SHA-256)
// is replaced atomically. A reader verifies every file against the manifest, so a torn write is never loaded;
// it falls back to the newest older version that verifies. Layout: checkpoints/<last|best>/{current.json, v…/}.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

const formatName = 'partial-mtl-checkpoint';
const formatVersion = 1;

interface TensorEntry {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly offset: number;
  readonly length: number;
}

export interface LoadedCheckpoint {
  readonly directory: string;
  /** The JSON state saved with the tensors. */
  readonly state: Record<string, unknown>;
  /** Tensors by name; the caller disposes them. */
  readonly tensors: Map<string, tf.Tensor>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeFileSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Saves named tensors and a JSON state as a new version of `checkpointDirectory` (e.g. outDir/checkpoints/last). */
export async function saveCheckpoint(
  checkpointDirectory: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  state: Record<string, unknown>,
): Promise<string> {
  mkdirSync(checkpointDirectory, { recursive: true });
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(
        `checkpoint: tensor '${name}' has dtype ${tensor.dtype}; only float32 and int32 are saved`,
      );
    }
    const values = await tensor.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    entries.push({ name, dtype: tensor.dtype, shape: [...tensor.shape], offset, length: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const tensorBytes = Buffer.concat(chunks);
  const stateBytes = Buffer.from(JSON.stringify({ ...state, tensors: entries }), 'utf8');
  const manifestBytes = Buffer.from(
    JSON.stringify({
      format: formatName,
      formatVersion,
      files: {
        'tensors.bin': { bytes: tensorBytes.byteLength, sha256: sha256(tensorBytes) },
        'state.json': { bytes: stateBytes.byteLength, sha256: sha256(stateBytes) },
      },
    }),
    'utf8',
  );
  const step = typeof state.step === 'number' ? state.step : 0;
  const version = `v${String(step).padStart(9, '0')}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const temporary = join(checkpointDirectory, `.tmp-${version}`);
  mkdirSync(temporary);
  writeFileSynced(join(temporary, 'tensors.bin'), tensorBytes);
  writeFileSynced(join(temporary, 'state.json'), stateBytes);
  writeFileSynced(join(temporary, 'manifest.json'), manifestBytes);
  fsyncDirectory(temporary);
  renameSync(temporary, join(checkpointDirectory, version));
  fsyncDirectory(checkpointDirectory);
  writeFileAtomic(
    join(checkpointDirectory, 'current.json'),
    JSON.stringify({ version, manifestSha256: sha256(manifestBytes) }),
  );
  for (const name of readdirSync(checkpointDirectory)) {
    if (name === version || name === 'current.json') continue;
    if (name.startsWith('v') || name.startsWith('.tmp-') || name.startsWith('.current.json.tmp-'))
      rmSync(join(checkpointDirectory, name), { recursive: true, force: true });
  }
  return join(checkpointDirectory, version);
}

/** Reads and verifies one version directory; returns undefined (with the reason) when anything is off. */
function verifyVersion(
  directory: string,
  expectedManifestSha?: string,
): { state: Record<string, unknown>; bytes: Buffer } | string {
  try {
    const manifestBytes = readFileSync(join(directory, 'manifest.json'));
    if (expectedManifestSha && sha256(manifestBytes) !== expectedManifestSha)
      return 'manifest checksum mismatch';
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
      format?: string;
      files?: Record<string, { bytes: number; sha256: string }>;
    };
    if (manifest.format !== formatName || !manifest.files) return 'not a partial-mtl checkpoint manifest';
    const contents: Record<string, Buffer> = {};
    for (const [file, expected] of Object.entries(manifest.files)) {
      const bytes = readFileSync(join(directory, file));
      if (bytes.byteLength !== expected.bytes || sha256(bytes) !== expected.sha256)
        return `${file} is torn or corrupt`;
      contents[file] = bytes;
    }
    const stateBytes = contents['state.json'];
    const tensorBytes = contents['tensors.bin'];
    if (!stateBytes || !tensorBytes) return 'manifest lacks state.json or tensors.bin';
    return { state: JSON.parse(stateBytes.toString('utf8')) as Record<string, unknown>, bytes: tensorBytes };
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Loads the newest valid version of a checkpoint directory: the one `current.json` names, else (if that fails
 * verification) the newest other complete version. Returns undefined when none exists; throws when versions
 * exist but none verifies.
 */
export function loadCheckpoint(checkpointDirectory: string): LoadedCheckpoint | undefined {
  if (!existsSync(checkpointDirectory)) return undefined;
  const candidates: { name: string; sha?: string }[] = [];
  try {
    const pointer = JSON.parse(readFileSync(join(checkpointDirectory, 'current.json'), 'utf8')) as {
      version: string;
      manifestSha256: string;
    };
    candidates.push({ name: pointer.version, sha: pointer.manifestSha256 });
  } catch {
    // No or unreadable pointer: fall back to scanning the versions below.
  }
  const versions = readdirSync(checkpointDirectory)
    .filter((name) => /^v\d{9}-/.test(name))
    .sort()
    .reverse();
  for (const name of versions)
    if (!candidates.some((candidate) => candidate.name === name)) candidates.push({ name });
  if (candidates.length === 0) return undefined;
  const problems: string[] = [];
  for (const candidate of candidates) {
    const directory = join(checkpointDirectory, candidate.name);
    const verified = verifyVersion(directory, candidate.sha);
    if (typeof verified === 'string') {
      problems.push(`${candidate.name}: ${verified}`);
      continue;
    }
    const tensors = new Map<string, tf.Tensor>();
    for (const entry of verified.state.tensors as TensorEntry[]) {
      const slice = verified.bytes.subarray(entry.offset, entry.offset + entry.length);
      const copy = new Uint8Array(slice).buffer;
      const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
      tensors.set(entry.name, tf.tensor(values, entry.shape, entry.dtype));
    }
    const { tensors: _index, ...state } = verified.state;
    return { directory, state, tensors };
  }
  throw new Error(`no valid checkpoint in ${checkpointDirectory}:\n  ${problems.join('\n  ')}`);
}

/** Copies tensor values into variables by name; throws naming the first missing or mis-shaped variable. */
export function assignVariables(
  variables: ReadonlyMap<string, tf.Variable>,
  tensors: ReadonlyMap<string, tf.Tensor>,
  prefix: string,
): void {
  for (const [name, variable] of variables) {
    const tensor = tensors.get(`${prefix}${name}`);
    if (!tensor) throw new Error(`checkpoint has no tensor '${prefix}${name}'`);
    if (tensor.shape.join('x') !== variable.shape.join('x')) {
      throw new Error(
        `checkpoint tensor '${prefix}${name}' has shape [${tensor.shape}], the variable [${variable.shape}]`,
      );
    }
    variable.assign(tensor);
  }
}

/** The named tensors of a variable map with a prefix (the variables themselves, not copies). */
export function prefixed(
  variables: ReadonlyMap<string, tf.Variable>,
  prefix: string,
): Map<string, tf.Tensor> {
  return new Map([...variables].map(([name, variable]) => [`${prefix}${name}`, variable as tf.Tensor]));
}
