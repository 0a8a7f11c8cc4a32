/**
 * Sampling a running process's memory on Linux: RSS from /proc/PID/status (VmRSS), or PSS from
 * /proc/PID/smaps_rollup (shared pages split between the processes that share them: what a forked
 * worker really costs). The parsers are pure; `readProcessMemory` is the one I/O call.
 */
import { readFile } from 'node:fs/promises';
import { GemleakError } from '../errors.js';
import { SeriesBuilder } from './builder.js';
import type { Series } from './types.js';

/** `VmRSS:   123456 kB` → KiB, or null. */
function parseStatusRss(text: string): number | null {
  const match = /^VmRSS:\s*(\d+)\s*kB/m.exec(text);
  return match === null ? null : Number(match[1]);
}

/** `Pss:   123456 kB` (the first, total line of smaps_rollup) → KiB, or null. */
function parseSmapsPss(text: string): number | null {
  const match = /^Pss:\s*(\d+)\s*kB/m.exec(text);
  return match === null ? null : Number(match[1]);
}

export type ProcessMemory = { kib: number } | { gone: true };

/** One sample; `{ gone: true }` once the process has exited. Other failures are errors (exit 2). */
export async function readProcessMemory(pid: number, pss: boolean): Promise<ProcessMemory> {
  const file = `/proc/${pid}/${pss ? 'smaps_rollup' : 'status'}`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return { gone: true };
    if (code === 'EACCES' || code === 'EPERM') throw new GemleakError('TREND_PID_DENIED', `permission denied: run as the process's user (or root) to read it`, { file });
    throw new GemleakError('TREND_PID_UNREADABLE', `cannot be read (${code ?? (error as Error).message})`, { file });
  }
  const kib = pss ? parseSmapsPss(text) : parseStatusRss(text);
  // A zombie or a kernel thread has no VmRSS line: nothing left to sample.
  return kib === null ? { gone: true } : { kib };
}

/** The process's command name (/proc/PID/comm), or null. */
export async function processName(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().slice(0, 64) || null;
  } catch {
    return null;
  }
}

/** Samples as they arrive, judged at any moment as a series. */
export class LiveRecording {
  private readonly epochs: number[] = [];
  private readonly kib: number[] = [];

  constructor(private readonly name: string) {}

  add(epochSeconds: number, kib: number): void {
    this.epochs.push(epochSeconds);
    this.kib.push(kib);
  }

  get length(): number {
    return this.kib.length;
  }

  series(): Series {
    const builder = new SeriesBuilder(this.name, null, 'csv');
    this.kib.forEach((kib, i) => {
      builder.push(this.epochs[i]!, kib / 1024);
    });
    return builder.build('seconds', this.epochs[0] ?? null);
  }
}
