// Multi-threaded XNNPACK for @tensorflow/tfjs-backend-wasm under Node. The package hard-wires
// WASM_HAS_MULTITHREAD_SUPPORT to false there (tensorflow/tfjs issue 3830): its pthread workers start from `blob:`
// URLs, which Node's Worker refuses, and the pool is capped at os.cpus().length / 2 (1 on a 2-core machine). This
// writes the worker and main scripts to files, points the blob URLs at them during initialisation, and lifts the cap.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../atomic-write.js';

/** What this needs from the @tensorflow/tfjs-backend-wasm module object. */
export interface WasmBackendModule {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
  version_wasm?: string;
}

export interface WasmThreadsResult {
  /** Threads XNNPACK uses after initialisation (1 when threading could not be set up). */
  readonly threads: number;
  /** Why threading was not enabled, when it was not. */
  readonly reason?: string;
}

interface EmscriptenWorker {
  unref(): void;
}
interface ThreadedModule {
  PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileAtomic(path, text);
}

/** Writes the two scripts the pthread workers load; returns the worker script's path. */
function prepareScripts(version: string): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factoryPath = join(packageRoot, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(
    join(packageRoot, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  const directory = join(os.tmpdir(), `partial-mtl-tfjs-wasm-${version}-threads`);
  mkdirSync(directory, { recursive: true });
  const mainScript = join(directory, 'main.cjs');
  const workerScript = join(directory, 'worker.cjs');
  // The worker evaluates the main script with importScripts (fs.readFileSync + indirect eval) in its global scope.
  writeIfChanged(
    mainScript,
    `var WasmBackendModuleThreadedSimd = require(${JSON.stringify(factoryPath)});\n`,
  );
  // The shipped worker text has its newlines escaped for a Blob; the stock loader does the same replacement.
  const workerText = wasmWorkerContents.replace(/\n/g, '\\n');
  writeIfChanged(
    workerScript,
    `URL.createObjectURL = () => ${JSON.stringify(mainScript)};\nURL.revokeObjectURL = () => {};\n${workerText}`,
  );
  return workerScript;
}

/**
 * Initialises the wasm backend with `threads` XNNPACK threads (call before the wasm backend is first used; it
 * becomes the active backend). Falls back to the single-threaded build, reporting why, if anything fails.
 */
export async function initWasmWithThreads(
  wasm: WasmBackendModule,
  threads: number,
): Promise<WasmThreadsResult> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`initWasmWithThreads: threads must be a positive integer, got ${threads}`);
  if (tf.engine().registry.wasm !== undefined) {
    await tf.setBackend('wasm');
    const running = wasm.getThreadsCount();
    return running === threads
      ? { threads: running }
      : { threads: running, reason: 'the wasm backend was already initialised' };
  }
  if (threads === 1) {
    await tf.setBackend('wasm');
    return { threads: wasm.getThreadsCount() };
  }
  const workerScript = prepareScripts(wasm.version_wasm ?? 'unknown');
  const require = createRequire(import.meta.url);
  const nodeOs = require('node:os') as typeof os;
  const originalCpus = nodeOs.cpus;
  const originalCreateObjectURL = URL.createObjectURL;
  const flags = tf.env();
  // An async flag: read the value set explicitly, if any (its own evaluation under Node gives false).
  const previousFlag =
    (flags as unknown as { flags: Record<string, unknown> }).flags.WASM_HAS_MULTITHREAD_SUPPORT === true;
  let failure: string | undefined;
  try {
    // The C++ side allows min(threads, logical cores / 2) threads, reading os.cpus() through Emscripten.
    const cpus = originalCpus();
    nodeOs.cpus = () => Array.from({ length: 2 * threads }, (_, index) => cpus[index % cpus.length]!);
    URL.createObjectURL = () => workerScript;
    flags.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
  } catch (error) {
    failure = `threaded wasm failed to start: ${String((error as Error).message ?? error)}`;
  } finally {
    nodeOs.cpus = originalCpus;
    URL.createObjectURL = originalCreateObjectURL;
    flags.set('WASM_HAS_MULTITHREAD_SUPPORT', previousFlag);
  }
  if (failure !== undefined) {
    // The backend factory stays registered: a second start loads the single-threaded build.
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error(`${failure}; the single-threaded build failed too`);
    return { threads: wasm.getThreadsCount(), reason: failure };
  }
  // Emscripten refs a worker while it runs a pthread; XNNPACK's pool threads run forever, so let Node exit.
  const module = (tf.backend() as unknown as { wasm?: ThreadedModule }).wasm;
  for (const worker of module?.PThread?.runningWorkers ?? []) worker.unref();
  return { threads: wasm.getThreadsCount() };
}
