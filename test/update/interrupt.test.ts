import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, writeTree } from '../helpers/fixtures.js';
import { ALPHA, BETA, INITIAL_DATABASE, type Running, type TestRemote, advisory, killGroup, makeRemote, readState, slowPackConfig, startCli, syncedFolders, waitFor } from './remote.js';

let remote: TestRemote;
const started: Running[] = [];
afterEach(() => {
  for (const run of started.splice(0)) killGroup(run.child.pid);
  remote?.cleanup();
});

const env = () => ({ GEMLEAK_HOME: remote.home });
const lockFile = () => path.join(remote.home, 'update.lock');

function checkApp(specs: string[]) {
  const app = path.join(remote.root, 'app');
  writeTree(app, { 'Gemfile.lock': lockfileWith(specs) });
  return runCli(['check', app, '--verbose'], { cwd: remote.root, env: env() });
}

/** Starts `gemleak update` with a remote that stalls while packing, and waits until it is mid-way. */
async function startStalledUpdate(seconds: number, ...args: string[]): Promise<{ run: Running; log: string }> {
  const slow = slowPackConfig(remote.root, seconds);
  const run = startCli(['update', ...args], { cwd: remote.root, env: { ...env(), ...slow.env } });
  started.push(run);
  await waitFor(() => existsSync(slow.marker), 'the update to reach the remote');
  return { run, log: slow.log };
}

describe('gemleak update killed with SIGKILL mid-way', () => {
  it('during a later fetch: check keeps the previous copy, the next update recovers', async () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    expect(runCli(['update', '--url', remote.url], { env: env() }).status).toBe(0);
    const before = readFileSync(path.join(remote.home, 'synced.json'), 'utf8');
    remote.commit({ [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']) }, 'add beta');

    const { run } = await startStalledUpdate(60);
    // Mid-way for real: the lock is held and a staging folder exists.
    expect(existsSync(lockFile())).toBe(true);
    expect(syncedFolders(remote.home).some((name) => name.startsWith('.staging-'))).toBe(true);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');

    expect(readFileSync(path.join(remote.home, 'synced.json'), 'utf8')).toBe(before);
    const alpha = checkApp([`${ALPHA} (1.5)`]);
    expect(alpha.status).toBe(1);
    expect(alpha.stderr).toBe('');
    expect(checkApp([`${BETA} (0.5)`]).status).toBe(0);

    const again = runCli(['update'], { env: env() });
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`Updated ${remote.url}: 2 advisories`);
    expect(existsSync(lockFile())).toBe(false);
    expect(syncedFolders(remote.home).filter((name) => name.startsWith('.staging-'))).toEqual([]);
    expect(checkApp([`${BETA} (0.5)`]).status).toBe(1);
  });

  it('during the first clone: check still works with the bundled database, the next update clones', async () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const { run } = await startStalledUpdate(60, '--url', remote.url);
    run.child.kill('SIGKILL');
    await run.done;
    expect(existsSync(path.join(remote.home, 'synced.json'))).toBe(false);
    const check = checkApp([`${ALPHA} (1.5)`]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('Database: bundled');
    expect(check.stdout).not.toContain('Database: synced');

    const again = runCli(['update', '--url', remote.url], { env: env() });
    expect(again.status).toBe(0);
    expect(syncedFolders(remote.home)).toHaveLength(1);
    expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(1);
  });
});

describe('gemleak update: two at once', () => {
  it('the second waits for the first, then uses its result without fetching again', async () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const first = await startStalledUpdate(2, '--url', remote.url);
    const second = startCli(['update', '--url', remote.url], { cwd: remote.root, env: env() });
    started.push(second);
    const [a, b] = await Promise.all([first.run.done, second.done]);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain(`Updated ${remote.url}: 1 advisory`);
    expect(b.status).toBe(0);
    expect(b.stderr).toMatch(/^gemleak: another gemleak update \(pid \d+\) is running; waiting for it to finish\n$/);
    expect(b.stdout).toContain(`Already up to date: ${remote.url} was synced by another gemleak update just now: 1 advisory`);
    expect(readFileSync(first.log, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(syncedFolders(remote.home)).toHaveLength(1);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('several started together all succeed and leave one consistent copy', async () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const runs = [1, 2, 3].map(() => startCli(['update', '--url', remote.url], { cwd: remote.root, env: env() }));
    started.push(...runs);
    const results = await Promise.all(runs.map((run) => run.done));
    for (const result of results) expect(result.status, result.stderr).toBe(0);
    const state = readState(remote.home);
    expect(syncedFolders(remote.home)).toEqual([path.basename(state.path as string)]);
    expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(1);
  });
});

describe('gemleak update: a lock left behind never blocks for good', () => {
  it('breaks the lock of a dead process at once', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeTree(remote.home, {
      'update.lock': JSON.stringify({ pid: dead, host: os.hostname(), startedAt: new Date().toISOString(), token: 'left-behind' }),
    });
    const startedAt = Date.now();
    const run = runCli(['update', '--url', remote.url], { env: env() });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('breaks a lock nobody refreshed for minutes, even if its pid runs (a recycled pid, another machine)', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    writeTree(remote.home, {
      'update.lock': JSON.stringify({ pid: process.pid, host: 'build-agent-7', startedAt: '2020-01-01T00:00:00.000Z', token: 'old' }),
    });
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(lockFile(), hourAgo, hourAgo);
    const run = runCli(['update', '--url', remote.url], { env: env() });
    expect(run.status).toBe(0);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('an empty lock file (a crash between creating and writing it) is broken once it is old', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    writeTree(remote.home, { 'update.lock': '' });
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lockFile(), old, old);
    writeFileSync(path.join(remote.home, 'synced.json.123.456.tmp'), '{"half": ');
    const run = runCli(['update', '--url', remote.url], { env: env() });
    expect(run.status).toBe(0);
    expect(existsSync(path.join(remote.home, 'synced.json.123.456.tmp'))).toBe(false);
  });
});
