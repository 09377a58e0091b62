// Backend selection: picks the fastest TensorFlow.js backend installed, in the order native GPU
// (@tensorflow/tfjs-node-gpu), native CPU (@tensorflow/tfjs-node), WebAssembly (@tensorflow/tfjs-backend-wasm),
// pure JS (the cpu backend inside @tensorflow/tfjs). Each is an optional peer dependency loaded at run time. A package that
// is installed but fails to load (CUDA libraries missing, no prebuilt addon for this Node) is reported with the
// reason and a fix, and selection falls back to the next one instead of crashing.

import * as util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { enableWasmTraining } from './wasm-training/index.js';
import { initWasmWithThreads, type WasmBackendModule } from './wasm-training/wasm-threads.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

interface Candidate {
  readonly name: BackendName;
  readonly packageName: string;
  /** The name the package registers its backend under in TensorFlow.js. */
  readonly engineName: string;
}

export const backendCandidates: readonly Candidate[] = [
  { name: 'tensorflow-gpu', packageName: '@tensorflow/tfjs-node-gpu', engineName: 'tensorflow' },
  { name: 'tensorflow', packageName: '@tensorflow/tfjs-node', engineName: 'tensorflow' },
  { name: 'wasm', packageName: '@tensorflow/tfjs-backend-wasm', engineName: 'wasm' },
  { name: 'cpu', packageName: '@tensorflow/tfjs', engineName: 'cpu' },
];

export interface SkippedBackend {
  readonly name: BackendName;
  readonly packageName: string;
  /** 'not-installed', 'excluded' (by `prefer`), or 'failed' (installed, but loading or initialising threw). */
  readonly status: 'not-installed' | 'excluded' | 'failed';
  readonly reason: string;
}

export interface BackendSelection {
  /** Our name of the backend that runs. */
  readonly name: BackendName;
  /** The name TensorFlow.js knows it by (`tf.getBackend()`). */
  readonly engineName: string;
  readonly packageName: string;
  /** Every backend tried before it and why it was not used. */
  readonly skipped: readonly SkippedBackend[];
  /** One line per backend, for logs. */
  readonly report: string;
}

export interface SelectBackendOptions {
  /**
   * Backends to try, in order. Default: all, fastest first. A single name forces that backend (failing if it
   * cannot load). The environment variable PARTIAL_MTL_BACKEND overrides the default the same way.
   */
  readonly prefer?: BackendName | readonly BackendName[];
  /** Module loader (tests inject fakes). Default: dynamic `import`. */
  readonly importModule?: (packageName: string) => Promise<unknown>;
  /** Called with a warning when an installed backend fails to load. Default: `console.warn`. */
  readonly warn?: (message: string) => void;
  /** Hooks run after a backend is set, keyed by our backend name (e.g. registering training kernels). */
  readonly afterSelect?: Partial<Record<BackendName, () => void | Promise<void>>>;
  /** When wasm is selected, register its training kernels and gradients (`enableWasmTraining`). Default true. */
  readonly wasmTraining?: boolean;
  /**
   * XNNPACK threads of the wasm backend (the threaded build, started from files under Node; wasm-threads.ts).
   * Default: PARTIAL_MTL_WASM_THREADS, else 1. Only honoured when this call initialises wasm.
   */
  readonly wasmThreads?: number;
}

const backendNames = new Set<string>(backendCandidates.map((candidate) => candidate.name));

/** Parses a backend name from user input (CLI flag, environment), with an error listing valid names. */
export function parseBackendName(value: string, source = 'backend'): BackendName {
  if (!backendNames.has(value)) {
    throw new Error(
      `${source}: unknown backend '${value}' (expected one of: ${[...backendNames].join(', ')})`,
    );
  }
  return value as BackendName;
}

/** True when an import error says the package itself is absent (not that one of its files failed). */
export function isModuleNotFound(error: unknown, packageName: string): boolean {
  const text = String((error as Error | undefined)?.message ?? error);
  // Vite-based runners (vitest) report an unresolvable bare import this way, without a code.
  if (
    text.includes(`Could not resolve "${packageName}"`) ||
    text.includes(`Failed to load url ${packageName} `)
  )
    return true;
  const code = (error as { code?: string } | undefined)?.code;
  const message = String((error as Error | undefined)?.message ?? error);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // A missing dependency *inside* the package is a broken install, not an absent package.
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}

/** A user-facing explanation of why an installed native backend failed, with the fix where it is known. */
export function explainBackendFailure(packageName: string, error: unknown): string {
  const message = String((error as Error | undefined)?.message ?? error).split('\n')[0] ?? '';
  if (/libcudart\.so|libcudnn|libcublas|CUDA|cuDNN/i.test(message)) {
    return (
      `${packageName} is installed but its CUDA libraries could not be loaded (${message}). ` +
      'tfjs-node-gpu 4.x is built against CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0); CUDA 12 does not satisfy ' +
      'it. Install CUDA 11.2 + cuDNN 8.1 beside your driver, or uninstall tfjs-node-gpu to use the CPU.'
    );
  }
  if (/tfjs_binding\.node|napi-v\d|node-pre-gyp|Cannot find module.*binding/i.test(message)) {
    return (
      `${packageName} is installed but its native addon is missing (${message}). Its install script downloads ` +
      'libtensorflow; on a closed network set TFJS_NODE_CDN_STORAGE or TFJS_NODE_BASE_URI to a mirror and ' +
      'reinstall, or use a Node version with a prebuilt addon (Node 20).'
    );
  }
  if (/isNullOrUndefined/.test(message)) {
    return `${packageName} failed on this Node version (${message}); the util polyfill should cover this: please report it.`;
  }
  return `${packageName} is installed but failed to load: ${message}`;
}

/**
 * Node ≥ 23 removed `util.isNullOrUndefined`, which tfjs-node 4.22 still calls (tensorflow/tfjs issue 8609,
 * fixed upstream but unreleased). Restores it before tfjs-node loads. Returns true if it had to be added.
 */
export function installNodeUtilPolyfill(
  target: Record<string, unknown> = util as unknown as Record<string, unknown>,
): boolean {
  if (typeof target.isNullOrUndefined === 'function') return false;
  try {
    target.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
    return true;
  } catch {
    return false;
  }
}

function preferredCandidates(prefer: SelectBackendOptions['prefer']): { list: Candidate[]; forced: boolean } {
  const fromEnvironment = process.env.PARTIAL_MTL_BACKEND;
  const requested =
    prefer ?? (fromEnvironment ? parseBackendName(fromEnvironment, 'PARTIAL_MTL_BACKEND') : undefined);
  if (requested === undefined) return { list: [...backendCandidates], forced: false };
  const names = typeof requested === 'string' ? [requested] : requested;
  const list = names.map((name) => {
    const candidate = backendCandidates.find((c) => c.name === name);
    if (!candidate) throw new Error(`selectBackend: unknown backend '${name}'`);
    return candidate;
  });
  return { list, forced: typeof requested === 'string' };
}

/**
 * Loads and activates the best available backend. Resolves with what runs and why the others did not.
 * Throws only when no backend at all can run (or a single forced backend cannot).
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const importModule = options.importModule ?? ((name: string) => import(name));
  const warn = options.warn ?? ((message: string) => console.warn(`[partial-mtl] ${message}`));
  const { list, forced } = preferredCandidates(options.prefer);
  const skipped: SkippedBackend[] = backendCandidates
    .filter((candidate) => !list.includes(candidate))
    .map((candidate) => ({
      ...pick(candidate),
      status: 'excluded' as const,
      reason: 'not in the preferred list',
    }));

  for (const candidate of list) {
    try {
      if (candidate.engineName === 'tensorflow') {
        installNodeUtilPolyfill();
        process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
      }
      const loaded = await importModule(candidate.packageName);
      if (candidate.name === 'wasm') await startWasm(loaded, options.wasmThreads, warn);
      if (candidate.name === 'tensorflow-gpu' && !isGpuBuild()) {
        throw new Error('the native backend loaded without GPU support');
      }
      const ok = await tf.setBackend(candidate.engineName);
      if (!ok) throw new Error(`tf.setBackend('${candidate.engineName}') returned false`);
      await tf.ready();
      if (candidate.name === 'wasm' && options.wasmTraining !== false) enableWasmTraining();
      await options.afterSelect?.[candidate.name]?.();
      const report = formatReport(candidate, skipped);
      return {
        name: candidate.name,
        engineName: candidate.engineName,
        packageName: candidate.packageName,
        skipped,
        report,
      };
    } catch (error) {
      if (isModuleNotFound(error, candidate.packageName)) {
        skipped.push({
          ...pick(candidate),
          status: 'not-installed',
          reason: `${candidate.packageName} is not installed`,
        });
      } else {
        const reason = explainBackendFailure(candidate.packageName, error);
        skipped.push({ ...pick(candidate), status: 'failed', reason });
        warn(`${reason} Falling back to the next backend.`);
      }
      if (forced) break;
    }
  }
  const tried = skipped.map((entry) => `  ${entry.name}: ${entry.reason}`).join('\n');
  throw new Error(`selectBackend: no TensorFlow.js backend could be loaded.\n${tried}`);
}

/** Starts wasm with the requested XNNPACK threads when more than one is asked for (else setBackend does it). */
async function startWasm(
  loaded: unknown,
  requested: number | undefined,
  warn: (message: string) => void,
): Promise<void> {
  const fromEnvironment = process.env.PARTIAL_MTL_WASM_THREADS;
  const threads = requested ?? (fromEnvironment ? Number(fromEnvironment) : 1);
  const module = loaded as Partial<WasmBackendModule> | undefined;
  if (
    threads === 1 ||
    typeof module?.setThreadsCount !== 'function' ||
    typeof module.getThreadsCount !== 'function'
  )
    return;
  const result = await initWasmWithThreads(module as WasmBackendModule, threads);
  if (result.reason) warn(`wasm runs ${result.threads} thread(s), not ${threads}: ${result.reason}`);
}

function pick(candidate: Candidate): { name: BackendName; packageName: string } {
  return { name: candidate.name, packageName: candidate.packageName };
}

function isGpuBuild(): boolean {
  // tfjs-node-gpu registers the same 'tensorflow' backend; it is a GPU build when the binding says so.
  const backend = tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null;
  return backend?.isUsingGpuDevice ?? true;
}

function formatReport(chosen: Candidate, skipped: readonly SkippedBackend[]): string {
  const lines = [`backend: ${chosen.name} (${chosen.packageName})`];
  for (const entry of skipped) lines.push(`  skipped ${entry.name}: ${entry.reason}`);
  return lines.join('\n');
}
