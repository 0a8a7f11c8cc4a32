import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemleakBin, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';
import { INITIAL_DATABASE, type TestRemote, makeRemote } from '../update/remote.js';

// Issue 11, "Locks": garbage and dead locks are recognised at once, a future timestamp holds
// nobody off, breaking a stale lock is atomic (stress test: zero overlapping holds), a killed
// update's git dies with it, and a full disk is one line and exit 2 with nothing half-written.
let root: string;
beforeAll(() => {
  root = tempDir('gemleak-hostile-locks-');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

/** A worker that takes the lock `rounds` times; each third hold ends by leaving a dead or garbage lock behind. */
const WORKER = `
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
const { acquireLock } = await import('./lock.mjs');
const [file, log, rounds, dead] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < Number(rounds); i++) {
  const lock = await acquireLock(file, { timings: { pollMs: 2, heartbeatMs: 60_000, staleAfterMs: 60_000, waitTimeoutMs: 120_000 } });
  appendFileSync(log, '+' + process.pid + '\\n');
  await sleep(Math.random() * 3);
  appendFileSync(log, '-' + process.pid + '\\n');
  if (i % 3 === 2) {
    // Die while holding it, as far as the others can tell: a dead pid, or garbage.
    const text = i % 2 ? JSON.stringify({ pid: Number(dead), host: os.hostname(), startedAt: new Date().toISOString(), token: 'dead-' + process.pid + '-' + i }) : 'garbage';
    writeFileSync(file + '.' + process.pid + '.dying', text);
    renameSync(file + '.' + process.pid + '.dying', file);
  }
  await lock.release();
}
`;

function overlapsIn(log: string): { holds: number; overlaps: number } {
  let depth = 0;
  let holds = 0;
  let overlaps = 0;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.startsWith('+')) {
      holds += 1;
      depth += 1;
      if (depth > 1) overlaps += 1;
    } else if (line.startsWith('-')) depth -= 1;
  }
  return { holds, overlaps };
}

describe('breaking a stale lock is atomic: stress test', () => {
  it.each([
    [3, 100],
    [16, 20],
  ])(
    '%i processes, %i holds each, a third of them leaving a dead or garbage lock: zero overlaps',
    async (processes, rounds) => {
      const dir = path.join(root, `stress-${processes}`);
      mkdirSync(dir);
      const worker = path.join(dir, 'worker.mjs');
      writeFileSync(worker, WORKER);
      // The lock module itself, compiled from src/ (the package's dist/ keeps only what its entry points reach).
      buildSync({
        entryPoints: [path.join(repoRoot, 'src', 'advisories', 'lock.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile: path.join(dir, 'lock.mjs'),
        logLevel: 'silent',
      });
      const log = path.join(dir, 'holds.log');
      writeFileSync(log, '');
      const dead = deadPid();
      const children = Array.from({ length: processes }, () =>
        spawn(process.execPath, [worker, path.join(dir, 'update.lock'), log, String(rounds), String(dead)], { stdio: ['ignore', 'ignore', 'pipe'] }),
      );
      const codes = await Promise.all(children.map((child) => exited(child)));
      expect(codes.map((code) => code.status)).toEqual(children.map(() => 0));
      expect(overlapsIn(log)).toEqual({ holds: processes * rounds, overlaps: 0 });
      expect(readdirSync(dir).filter((name) => name.includes('.tmp') || name.endsWith('.guard'))).toEqual([]);
    },
    240_000,
  );
});

function exited(child: ChildProcess): Promise<{ status: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

describe('gemleak update and the locks others left', () => {
  let remote: TestRemote;
  beforeAll(() => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.commit(INITIAL_DATABASE, 'initial');
  });
  afterAll(() => remote.cleanup());

  const lockFile = () => path.join(remote.home, 'update.lock');
  const update = () => runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: remote.home } });
  const plant = (text: string, mtime = new Date()) => {
    mkdirSync(remote.home, { recursive: true });
    writeFileSync(lockFile(), text);
    utimesSync(lockFile(), mtime, mtime);
  };

  it.each([
    ['an empty lock, just written', ''],
    ['a garbage lock', '\u0000\u0001 not json'],
    ['a lock of a dead process on this machine', JSON.stringify({ pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString(), token: 'x' })],
    ['a lock of a live pid that started at another time (a recycled pid)', JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 'x', pidStart: '1' })],
    ['a lock from before a reboot', JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 'x', bootId: 'another-boot' })],
  ])('%s is broken at once', (_name, text) => {
    plant(text);
    const started = Date.now();
    const run = update();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('waiting');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('a lock with a timestamp an hour in the future holds nobody off', () => {
    plant(JSON.stringify({ pid: process.pid, host: 'elsewhere', startedAt: new Date(Date.now() + 3_600_000).toISOString(), token: 'x' }), new Date(Date.now() + 3_600_000));
    const started = Date.now();
    expect(update().status).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('update.lock as a folder: one line, exit 2, nothing left behind', () => {
    rmSync(lockFile(), { force: true });
    mkdirSync(lockFile(), { recursive: true });
    const run = update();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: .*update\.lock: cannot create the update lock \(its name is taken by a folder; remove it\)\n$/);
    expect(readdirSync(remote.home).filter((name) => name.startsWith('update.lock.'))).toEqual([]);
    rmSync(lockFile(), { recursive: true });
  });
});

describe('a killed update takes its git with it', () => {
  let server: net.Server;
  let port = 0;
  beforeAll(async () => {
    // A "git server" that accepts connections and never answers: git waits on it for good.
    server = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => server.close());

  const gitProcesses = () =>
    execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`127.0.0.1:${port}`) && !line.includes('gemleak.js'));

  it('SIGKILL: git and its helpers are gone within seconds; db status names no dead pid', async () => {
    const home = path.join(root, 'killed-home');
    const child = spawn(process.execPath, [gemleakBin, 'update', '--url', `http://127.0.0.1:${port}/db.git`], {
      env: { PATH: process.env.PATH ?? '', HOME: root, GEMLEAK_HOME: home, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    while (gitProcesses().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gitProcesses().length).toBeGreaterThanOrEqual(2);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const gone = Date.now() + 10_000;
    while (gitProcesses().length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gitProcesses()).toEqual([]);
    expect(existsSync(path.join(home, 'update.lock'))).toBe(true);
    const status = runCli(['db', 'status'], { env: { GEMLEAK_HOME: home } });
    expect(status.stdout).not.toMatch(/An update is running/);
    const json = JSON.parse(runCli(['db', 'status', '--format', 'json'], { env: { GEMLEAK_HOME: home } }).stdout) as { update_running: unknown };
    expect(json.update_running).toBeNull();
  }, 60_000);
});

describe('lock library: ownership and guards', () => {
  it('assertHeld throws LOCK_LOST once another process took the lock over', async () => {
    const { acquireLock } = await import('../../src/advisories/lock.js');
    const file = path.join(root, 'owned.lock');
    const held = await acquireLock(file);
    await expect(held.assertHeld()).resolves.toBeUndefined();
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: new Date().toISOString(), token: 'theirs' }));
    await expect(held.assertHeld()).rejects.toMatchObject({ code: 'LOCK_LOST' });
    await held.release();
    expect(existsSync(file)).toBe(true);
  });

  it('a guard left by a process killed inside it is removed once old; a fresh one is waited for', async () => {
    const { acquireLock } = await import('../../src/advisories/lock.js');
    const file = path.join(root, 'guarded.lock');
    writeFileSync(`${file}.guard`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.guard`, old, old);
    const started = Date.now();
    const held = await acquireLock(file, { timings: { pollMs: 10 } });
    expect(Date.now() - started).toBeLessThan(5_000);
    await held.release();
    expect(readdirSync(root).filter((name) => name.startsWith('guarded.lock'))).toEqual([]);
    writeFileSync(`${file}.guard`, '');
    let taken = false;
    const pending = acquireLock(file, { timings: { pollMs: 10 } }).then((lock) => {
      taken = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(taken).toBe(false);
    rmSync(`${file}.guard`);
    await (await pending).release();
    expect(taken).toBe(true);
  });
});
