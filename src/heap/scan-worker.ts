import { parentPort } from 'node:worker_threads';
import { isGemleakError } from '../errors.js';
import { type ScanJob, runScanJob } from './scan-jobs.js';

/**
 * Worker-thread entry: runs the scan jobs the pool sends, one at a time, and answers with the
 * result, progress in bytes, or the error (a GemleakError travels as its parts and is rebuilt).
 */

export interface JobRequest {
  id: number;
  job: ScanJob;
}

export type JobReply =
  | { id: number; type: 'progress'; bytes: number }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'failed'; error: { code: string | null; message: string; file: string | null; line: number | null; exitCode: number; stack: string | null } };

const port = parentPort;
if (port !== null) {
  port.on('message', (request: JobRequest) => {
    const reply = (message: JobReply) => port.postMessage(message);
    runScanJob(request.job, (bytes) => reply({ id: request.id, type: 'progress', bytes })).then(
      (result) => reply({ id: request.id, type: 'done', result }),
      (error: unknown) => reply({ id: request.id, type: 'failed', error: describeError(error) }),
    );
  });
}

function describeError(error: unknown): Extract<JobReply, { type: 'failed' }>['error'] {
  if (isGemleakError(error)) {
    return { code: error.code, message: error.message, file: error.file ?? null, line: error.line ?? null, exitCode: error.exitCode, stack: null };
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  return { code: null, message: failure.message, file: null, line: null, exitCode: 2, stack: failure.stack ?? null };
}
