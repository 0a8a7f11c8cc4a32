import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { link, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { GemleakError } from '../errors.js';

/** Who holds the update lock: written into the lock file when it is taken. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Tells this holder from any other, a later one with a recycled pid included. */
  token: string;
  /** Linux's boot id: a lock from before a reboot names no running process, whatever its pid. */
  bootId?: string | null;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat): a recycled pid has another. */
  pidStart?: string | null;
}

export interface LockTimings {
  /** A lock whose holder stopped refreshing it this long ago is stale (the holder refreshes it every `heartbeatMs`). */
  staleAfterMs: number;
  heartbeatMs: number;
  /** Give up waiting for a live holder after this long. */
  waitTimeoutMs: number;
  pollMs: number;
}

const DEFAULT_LOCK_TIMINGS: LockTimings = {
  staleAfterMs: 2 * 60_000,
  heartbeatMs: 15_000,
  waitTimeoutMs: 15 * 60_000,
  pollMs: 200,
};

export interface HeldLock {
  /** Throws LOCK_LOST when the lock is no longer this holder's (broken by another process meanwhile). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the lock file, waiting while another live process holds it.
 *
 * - The lock file is never seen empty or half-written: its content is written to a file of our
 *   own, which is then hard-linked to the lock name (`link` fails if the name exists: one winner).
 *   So a lock that does not parse is garbage, and is broken at once.
 * - A lock is stale, and broken, when its holder is a dead process on this machine (same host and
 *   boot, and the pid is gone or now belongs to a process started at another time), or when it
 *   has not been refreshed for `staleAfterMs` (judged by our clock, watching it: a timestamp in
 *   the future does not hold anybody off).
 * - Every change of the lock name (take, break, release) happens under a short-lived guard file
 *   taken with O_EXCL, so two waiters can never both break one stale lock and both proceed.
 * - The holder's heartbeat refreshes the lock and checks it is still its own: `assertHeld` before
 *   the step that publishes its work.
 * `onWait` is called once, when the lock is found held by a live process.
 * Throws GemleakError LOCK_TIMEOUT after `waitTimeoutMs`, LOCK_FAILED when the file cannot be made
 * (full disk, the lock name is a folder, no permission).
 */
export async function acquireLock(file: string, options: { timings?: Partial<LockTimings>; onWait?: (owner: LockOwner | null) => void } = {}): Promise<HeldLock> {
  const timings = { ...DEFAULT_LOCK_TIMINGS, ...options.timings };
  const owner = currentOwner();
  const text = `${JSON.stringify(owner)}\n`;
  const started = Date.now();
  const watched = new Watch();
  let told = false;
  for (;;) {
    const outcome = await underGuard(file, timings, async () => {
      if (await tryCreate(file, owner.token, text)) return 'taken' as const;
      const current = await readHolder(file);
      if (current === 'gone') return 'retry' as const;
      if (isStale(current, timings, watched)) {
        await rm(file, { force: true });
        return (await tryCreate(file, owner.token, text)) ? ('taken' as const) : ('retry' as const);
      }
      return current;
    });
    if (outcome === 'taken') return hold(file, owner, timings);
    if (outcome !== 'retry' && outcome !== 'busy') {
      if (!told) {
        told = true;
        options.onWait?.(outcome.owner);
      }
      if (Date.now() - started > timings.waitTimeoutMs) {
        const who = outcome.owner ? `pid ${outcome.owner.pid} on ${outcome.owner.host}, since ${outcome.owner.startedAt}` : 'unknown holder';
        throw new GemleakError('LOCK_TIMEOUT', `another gemleak update (${who}) still holds the lock after ${Math.round(timings.waitTimeoutMs / 1000)} s; try again later`, { file });
      }
    }
    await sleep(timings.pollMs);
  }
}

/** This process, as a lock holder. */
function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    bootId: bootId(),
    pidStart: processStart(process.pid),
  };
}

/**
 * Creates the lock with its content in one step: our own file, hard-linked to the lock name.
 * False when the lock name exists.
 */
async function tryCreate(file: string, token: string, text: string): Promise<boolean> {
  const own = `${file}.${token}.tmp`;
  try {
    await writeFile(own, text, { flag: 'wx', mode: 0o600 });
    await link(own, file).catch(async (error: NodeJS.ErrnoException) => {
      // A filesystem without hard links: create the name directly (readers take the guard too).
      if (error.code !== 'EPERM' && error.code !== 'ENOTSUP' && error.code !== 'ENOSYS') throw error;
      await writeFile(file, text, { flag: 'wx', mode: 0o600 });
    });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await exists(own))) return false;
    throw lockFailed(file, error);
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

function lockFailed(file: string, error: unknown): GemleakError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EISDIR' || (code === 'EPERM' && isFolder(file))
        ? 'its name is taken by a folder; remove it'
        : code === 'EACCES'
          ? 'permission denied'
          : (code ?? String(error));
  return new GemleakError('LOCK_FAILED', `cannot create the update lock (${why})`, { file, cause: error });
}

function isFolder(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Guards are held for milliseconds; one this old belongs to a process killed while holding it. */
const GUARD_STALE_MS = 10_000;

/**
 * Runs `action` holding `<lock>.guard` (O_EXCL), or returns 'busy' when another process holds it.
 * A guard left by a process killed inside its few milliseconds is removed once it is old.
 */
async function underGuard<T>(file: string, timings: LockTimings, action: () => Promise<T>): Promise<T | 'busy'> {
  const guard = `${file}.guard`;
  try {
    // Empty: creating it needs no data block, so a full disk cannot leave half a guard.
    await writeFile(guard, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      await rm(guard, { force: true }).catch(() => undefined);
      throw lockFailed(file, error);
    }
    const info = await stat(guard).catch(() => null);
    if (info !== null && Math.abs(Date.now() - info.mtimeMs) > Math.max(GUARD_STALE_MS, timings.pollMs * 10)) {
      // Renamed away first, so that of several waiters exactly one removes it.
      const aside = `${guard}.${randomBytes(4).toString('hex')}.stale`;
      if (
        await rename(guard, aside).then(
          () => true,
          () => false,
        )
      )
        await rm(aside, { force: true });
    }
    return 'busy';
  }
  try {
    return await action();
  } finally {
    await rm(guard, { force: true });
  }
}

interface Holder {
  owner: LockOwner | null;
  text: string;
  refreshedMs: number;
  /** Identity of this version of the lock: inode, modification time and size. */
  version: string;
}

async function readHolder(file: string): Promise<Holder | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    if (info.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    return { owner: parseOwner(text), text, refreshedMs: info.mtimeMs, version: `${info.ino}:${info.mtimeMs}:${info.size}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'gone';
    throw lockFailed(file, error);
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const data = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(data.pid) && typeof data.host === 'string' && typeof data.token === 'string' && typeof data.startedAt === 'string') {
      return data as LockOwner;
    }
  } catch {
    // Not a lock this gemleak wrote: garbage.
  }
  return null;
}

/** When each version of the lock was first seen, by our clock: staleness that no timestamp can fake. */
class Watch {
  #version = '';
  #since = 0;

  unchangedForMs(version: string): number {
    if (version !== this.#version) {
      this.#version = version;
      this.#since = Date.now();
    }
    return Date.now() - this.#since;
  }
}

function isStale(holder: Holder, timings: LockTimings, watched: Watch): boolean {
  const owner = holder.owner;
  // The lock is written whole before it gets its name: one that does not parse is garbage.
  if (owner === null) return true;
  if (isDeadHolder(owner)) return true;
  const age = Date.now() - holder.refreshedMs;
  if (age > timings.staleAfterMs || -age > timings.staleAfterMs) return true;
  return watched.unchangedForMs(holder.version) > timings.staleAfterMs;
}

/**
 * True when the holder is known to be gone: it ran on this machine (same host name and, where the
 * system tells, same boot) and no process with its pid and start time runs now. A holder on
 * another machine is never judged dead here: only its missing heartbeat makes its lock stale.
 */
export function isDeadHolder(owner: Pick<LockOwner, 'pid' | 'host' | 'bootId' | 'pidStart'>): boolean {
  if (owner.host !== os.hostname()) return false;
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return true;
  if (owner.pid === process.pid) return false;
  if (!isAlive(owner.pid)) return true;
  const start = owner.pidStart ? processStart(owner.pid) : null;
  return start !== null && start !== owner.pidStart;
}

function hold(file: string, owner: LockOwner, timings: LockTimings): HeldLock {
  let lost = false;
  const check = async (): Promise<boolean> => {
    const text = await readFile(file, 'utf8').catch(() => null);
    const mine = text !== null && parseOwner(text)?.token === owner.token;
    if (!mine) lost = true;
    return mine;
  };
  // The heartbeat keeps the lock fresh while a long clone runs, and notices when it is no longer
  // ours; unref'd, it never keeps the process alive.
  const heartbeat = setInterval(() => {
    void check().then((mine) => {
      if (!mine) return;
      const now = new Date();
      return utimes(file, now, now).catch(() => undefined);
    });
  }, timings.heartbeatMs);
  heartbeat.unref();
  return {
    async assertHeld() {
      if (lost || !(await check())) {
        throw new GemleakError('LOCK_LOST', 'another gemleak update took over the update lock (this one had stopped refreshing it); nothing was changed, run gemleak update again', { file });
      }
    },
    async release() {
      clearInterval(heartbeat);
      const timingsForGuard = { ...timings, pollMs: Math.min(timings.pollMs, 50) };
      for (let attempt = 0; attempt < 200; attempt++) {
        const done = await underGuard(file, timingsForGuard, async () => {
          if (await check()) await rm(file, { force: true });
          return true;
        }).catch(() => true);
        if (done === true) return;
        await sleep(timingsForGuard.pollMs);
      }
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

/** Linux's id of this boot, or null elsewhere. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** The start time of a process (field 22 of /proc/<pid>/stat, after the command name), or null. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
