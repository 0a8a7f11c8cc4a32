import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { GemleakError } from '../errors.js';

/** Who holds the update lock: written into the lock file when it is taken. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Tells this holder from a later one with a recycled pid. */
  token: string;
}

export interface LockTimings {
  /** A lock whose holder stopped refreshing it this long ago is stale (the holder refreshes it every `heartbeatMs`). */
  staleAfterMs: number;
  heartbeatMs: number;
  /** Give up waiting for a live holder after this long. */
  waitTimeoutMs: number;
  pollMs: number;
}

export const DEFAULT_LOCK_TIMINGS: LockTimings = {
  staleAfterMs: 2 * 60_000,
  heartbeatMs: 15_000,
  waitTimeoutMs: 15 * 60_000,
  pollMs: 200,
};

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the lock file (created with O_EXCL, so two processes can never both create it), waiting
 * while another live process holds it. A lock is stale, and is broken, when its holder is a dead
 * process on this host or has not refreshed it for `staleAfterMs` (a crash elsewhere, a frozen
 * machine): a crashed update never leaves the lock stuck.
 * `onWait` is called once, when the lock is found held by a live process.
 * Throws GemleakError LOCK_TIMEOUT after `waitTimeoutMs`, LOCK_FAILED when the file cannot be made.
 */
export async function acquireLock(
  file: string,
  options: { timings?: Partial<LockTimings>; onWait?: (owner: LockOwner | null) => void } = {},
): Promise<HeldLock> {
  const timings = { ...DEFAULT_LOCK_TIMINGS, ...options.timings };
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const started = Date.now();
  let told = false;
  for (;;) {
    if (await tryCreate(file, owner)) return hold(file, owner, timings);
    const current = await readHolder(file);
    if (current === 'gone') continue;
    if (isStale(current, timings)) {
      await breakLock(file, current.text);
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(current.owner);
    }
    if (Date.now() - started > timings.waitTimeoutMs) {
      const who = current.owner ? `pid ${current.owner.pid} on ${current.owner.host}, since ${current.owner.startedAt}` : 'unknown holder';
      throw new GemleakError('LOCK_TIMEOUT', `another gemleak update (${who}) still holds the lock after ${Math.round(timings.waitTimeoutMs / 1000)} s; try again later`, { file });
    }
    await sleep(timings.pollMs);
  }
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  try {
    await writeFile(file, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new GemleakError('LOCK_FAILED', `cannot create the update lock (${code ?? String(error)})`, { file, cause: error });
  }
}

interface Holder {
  owner: LockOwner | null;
  text: string;
  refreshedMs: number;
}

async function readHolder(file: string): Promise<Holder | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { owner: parseOwner(text), text, refreshedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const data = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(data.pid) && typeof data.host === 'string' && typeof data.token === 'string' && typeof data.startedAt === 'string') {
      return data as LockOwner;
    }
  } catch {
    // An empty or torn file: its holder died between creating and writing it, or is writing it now.
  }
  return null;
}

function isStale(holder: Holder, timings: LockTimings): boolean {
  if (Date.now() - holder.refreshedMs > timings.staleAfterMs) return true;
  const owner = holder.owner;
  return owner !== null && owner.host === os.hostname() && owner.pid !== process.pid && !isAlive(owner.pid);
}

/** Removes a stale lock, but only if it is still the one judged stale (another waiter may have replaced it). */
async function breakLock(file: string, staleText: string): Promise<void> {
  const now = await readFile(file, 'utf8').catch(() => null);
  if (now === staleText) await rm(file, { force: true });
}

function hold(file: string, owner: LockOwner, timings: LockTimings): HeldLock {
  // The heartbeat keeps the lock fresh while a long clone runs; unref'd, it never keeps the process alive.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, timings.heartbeatMs);
  heartbeat.unref();
  return {
    async release() {
      clearInterval(heartbeat);
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null && parseOwner(text)?.token === owner.token) await rm(file, { force: true });
    },
  };
}

/** Whether a process with this id runs (EPERM: it runs as another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
