import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GemleakError } from '../errors.js';
import { type ScanJob, type ScanResult, runScanJob } from './scan-jobs.js';
import type { JobReply, JobRequest } from './scan-worker.js';

/**
 * Runs scan jobs either on worker threads (big inputs: every core reads its own dump or byte range)
 * or on the calling thread (small inputs, where starting workers costs more than it saves).
 */
export interface ScanRunner {
  /** How many jobs run at the same time; the planner splits files into this many ranges. */
  readonly parallelism: number;
  run<T extends ScanResult>(job: ScanJob): Promise<T>;
  close(): Promise<void>;
}

/** Below this much input, threads do not pay for their start-up. */
const PARALLEL_THRESHOLD = 8 * 1024 * 1024;
export const MAX_WORKERS = 4;

/**
 * `workers`: how many ranges to read at once, or 'auto' (one per core, for big inputs, when the
 * compiled worker script exists; 0 means everything on the calling thread).
 */
export function chooseWorkerCount(workers: number | 'auto', totalBytes: number): number {
  if (workers !== 'auto') return Math.max(0, workers);
  if (totalBytes < PARALLEL_THRESHOLD || workerScript() === null) return 0;
  return Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));
}

/** Without the worker script, the ranges of N workers still exist but run one after the other. */
export function createRunner(workers: number, onBytes: (bytes: number) => void): ScanRunner {
  const script = workerScript();
  if (workers === 0 || script === null) return new InlineRunner(Math.max(1, workers), onBytes);
  return new WorkerRunner(script, workers, onBytes);
}

/**
 * The worker runs compiled JavaScript; when gemleak itself runs from TypeScript sources (tests),
 * there is none and everything runs inline.
 */
function workerScript(): URL | null {
  if (!/\.c?js$/.test(import.meta.url)) return null;
  const url = new URL('./scan-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

class InlineRunner implements ScanRunner {
  constructor(
    readonly parallelism: number,
    private readonly onBytes: (bytes: number) => void,
  ) {}

  async run<T extends ScanResult>(job: ScanJob): Promise<T> {
    return (await runScanJob(job, this.onBytes)) as T;
  }

  async close(): Promise<void> {}
}

interface Pending {
  request: JobRequest;
  resolve: (result: ScanResult) => void;
  reject: (error: unknown) => void;
}

class WorkerRunner implements ScanRunner {
  readonly parallelism: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(
    script: URL,
    count: number,
    private readonly onBytes: (bytes: number) => void,
  ) {
    this.parallelism = count;
    for (let i = 0; i < count; i += 1) {
      const worker = new Worker(script);
      worker.on('message', (reply: JobReply) => this.receive(worker, reply));
      worker.on('error', (error) => this.fail(worker, error));
      worker.on('exit', (code) => {
        if (this.busy.has(worker)) this.fail(worker, new Error(`heap scan worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  run<T extends ScanResult>(job: ScanJob): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, job }, resolve: resolve as (result: ScanResult) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const pending = this.queue.shift() as Pending;
      this.busy.set(worker, pending);
      worker.postMessage(pending.request);
    }
  }

  private receive(worker: Worker, reply: JobReply): void {
    const pending = this.busy.get(worker);
    if (pending === undefined || pending.request.id !== reply.id) return;
    if (reply.type === 'progress') {
      this.onBytes(reply.bytes);
      return;
    }
    this.busy.delete(worker);
    this.idle.push(worker);
    if (reply.type === 'done') pending.resolve(reply.result as ScanResult);
    else pending.reject(rebuildError(reply.error));
    this.dispatch();
  }

  private fail(worker: Worker, error: unknown): void {
    const pending = this.busy.get(worker);
    this.busy.delete(worker);
    pending?.reject(error);
  }
}

function rebuildError(error: Extract<JobReply, { type: 'failed' }>['error']): Error {
  if (error.code !== null) {
    return new GemleakError(error.code, error.message, {
      exitCode: error.exitCode,
      ...(error.file === null ? {} : { file: error.file }),
      ...(error.line === null ? {} : { line: error.line }),
    });
  }
  const failure = new Error(error.message);
  if (error.stack !== null) failure.stack = error.stack;
  return failure;
}
