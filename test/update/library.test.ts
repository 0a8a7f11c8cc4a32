import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataHomePaths, resolveDataHome } from '../../src/advisories/data-home.js';
import { acquireLock, isAlive } from '../../src/advisories/lock.js';
import { readManifest, requireSupportedVersion } from '../../src/advisories/manifest.js';
import { DEFAULT_DATABASE_URL, checkBranchName, checkSourceUrl, redactUrl } from '../../src/advisories/source-url.js';
import { readSyncState, writeSyncState } from '../../src/advisories/sync-state.js';
import type { DatabaseSummary } from '../../src/advisories/types.js';
import { checkFreshness } from '../../src/check/freshness.js';
import { GemleakError } from '../../src/errors.js';
import { tempDir } from '../helpers/fixtures.js';

let root: string;
beforeEach(() => {
  root = tempDir('gemleak-sync-lib-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof GemleakError ? error.code : `not a GemleakError: ${String(error)}`;
  }
  return undefined;
}

describe('checkSourceUrl', () => {
  it.each([
    ['https://github.com/rubymem/ruby-mem-advisory-db.git', 'https://github.com/rubymem/ruby-mem-advisory-db.git'],
    ['http://mirror.internal/leaks.git', 'http://mirror.internal/leaks.git'],
    ['ssh://git@github.com/acme/leaks.git', 'ssh://git@github.com/acme/leaks.git'],
    ['git://mirror.internal/leaks.git', 'git://mirror.internal/leaks.git'],
    ['file:///srv/git/leaks.git', 'file:///srv/git/leaks.git'],
    ['git@github.com:acme/leaks.git', 'git@github.com:acme/leaks.git'],
    ['mirror:leaks.git', 'mirror:leaks.git'],
    ['/srv/git/leaks.git', '/srv/git/leaks.git'],
    ['../leaks', '/srv/leaks'],
    ['./db:with-colon', '/srv/app/db:with-colon'],
  ])('allows %s', (url, expected) => {
    expect(checkSourceUrl(url, '/srv/app')).toBe(expected);
  });

  it.each([
    '-oProxyCommand=touch /tmp/x',
    '--upload-pack=touch /tmp/x',
    'ext::sh -c touch% /tmp/x',
    'EXT::sh -c id',
    'fd::3',
    'persistent-https::example.com/x',
    'ssh://-oProxyCommand=x/y',
    'ssh://user@-oProxyCommand=x/y',
    '-host:path',
    'user@-host:path',
    'ftp://example.com/x',
    'javascript://x',
    '',
    ' https://example.com/x',
    'https://example.com/x\n--upload-pack=x',
  ])('refuses %j', (url) => {
    expect(codeOf(() => checkSourceUrl(url, '/work'))).toBe('URL_REFUSED');
  });

  it('has the public database as the default source', () => {
    expect(checkSourceUrl(DEFAULT_DATABASE_URL, '/')).toBe('https://github.com/rubymem/ruby-mem-advisory-db.git');
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://user:token@example.com/db.git', 'https://user:***@example.com/db.git'],
    ['https://ghp_abcdef123@github.com/acme/db.git', 'https://***@github.com/acme/db.git'],
    ['ssh://git@github.com/acme/db.git', 'ssh://git@github.com/acme/db.git'],
    ['git@github.com:acme/db.git', 'git@github.com:acme/db.git'],
    ['/srv/db', '/srv/db'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('checkBranchName', () => {
  it.each(['main', 'master', 'trunk', 'release/2024-05', 'feature_x.y'])('allows %s', (branch) => {
    expect(checkBranchName(branch)).toBe(branch);
  });
  it.each(['', '-f', '--upload-pack=x', 'a..b', 'a b', 'a:b', 'x.lock', 'a/', '/a', 'a~1', 'a^', 'a@{1}', 'a\\b'])('refuses %j', (branch) => {
    expect(codeOf(() => checkBranchName(branch))).toBe('BRANCH_REFUSED');
  });
});

describe('resolveDataHome', () => {
  it.each([
    [{ GEMLEAK_HOME: '/data/gemleak', XDG_DATA_HOME: '/xdg' }, '/data/gemleak'],
    [{ GEMLEAK_HOME: 'cache/gemleak' }, '/srv/app/cache/gemleak'],
    [{ XDG_DATA_HOME: '/xdg' }, '/xdg/gemleak'],
    [{ XDG_DATA_HOME: 'relative/xdg' }, '/home/me/.local/share/gemleak'],
    [{ GEMLEAK_HOME: '', XDG_DATA_HOME: '' }, '/home/me/.local/share/gemleak'],
    [{}, '/home/me/.local/share/gemleak'],
  ])('%j → %s', (env, expected) => {
    expect(resolveDataHome(env, '/home/me', '/srv/app')).toBe(expected);
  });
});

describe('sync state', () => {
  const state = {
    format: 1 as const,
    path: 'synced/20240501T000000000Z-abcdef1',
    url: 'file:///srv/db.git',
    branch: 'main',
    commit: 'abcdef1234567890abcdef1234567890abcdef12',
    commitDate: '2021-11-24T10:00:00+01:00',
    syncedAt: '2024-05-01T00:00:00.000Z',
    advisories: 14,
    problems: 0,
    minGemleakVersion: null,
    syncedBy: '0.1.0',
  };

  it('round-trips, and a missing record is none', async () => {
    expect(readSyncState(root)).toEqual({ kind: 'none' });
    await writeSyncState(root, state);
    expect(readSyncState(root)).toEqual({ kind: 'ok', state, root: path.join(root, state.path) });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an unknown format', JSON.stringify({ ...state, format: 2 }), /unknown format 2/],
    ['a missing commit', JSON.stringify({ ...state, commit: undefined }), /'commit' must be a non-empty string/],
    ['a path outside synced/', JSON.stringify({ ...state, path: '../../etc' }), /'path' must name a folder inside/],
    ['a nested path', JSON.stringify({ ...state, path: 'synced/a/b' }), /'path' must name a folder inside/],
  ])('a record with %s is unusable, with the reason', (_name, text, reason) => {
    writeFileSync(dataHomePaths(root).stateFile, text);
    const read = readSyncState(root);
    expect(read.kind).toBe('unusable');
    expect(read.kind === 'unusable' && read.reason).toMatch(reason);
  });
});

describe('acquireLock', () => {
  const file = () => path.join(root, 'update.lock');

  it('serialises holders: the second gets the lock only after the first releases it', async () => {
    const first = await acquireLock(file());
    const owner = JSON.parse(readFileSync(file(), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    let waitedFor: unknown = 'not called';
    let secondHeld = false;
    const second = acquireLock(file(), { timings: { pollMs: 10 }, onWait: (holder) => (waitedFor = holder) }).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondHeld).toBe(false);
    expect(waitedFor).toMatchObject({ pid: process.pid });
    await first.release();
    const lock = await second;
    expect(secondHeld).toBe(true);
    await lock.release();
    expect(existsSync(file())).toBe(false);
  });

  it('gives up on a live holder after the wait timeout, naming it', async () => {
    const held = await acquireLock(file());
    await expect(acquireLock(file(), { timings: { pollMs: 10, waitTimeoutMs: 100 } })).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      message: expect.stringMatching(/another gemleak update \(pid \d+ on \S+, since \S+\) still holds the lock/),
    });
    await held.release();
  });

  it('the heartbeat keeps a long-held lock fresh, so waiters do not break it', async () => {
    const held = await acquireLock(file(), { timings: { heartbeatMs: 20 } });
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(file(), old, old);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(acquireLock(file(), { timings: { pollMs: 10, waitTimeoutMs: 150, staleAfterMs: 60_000 } })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    await held.release();
  });

  it('release never removes a lock that another process took over', async () => {
    const held = await acquireLock(file());
    writeFileSync(file(), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'now', token: 'theirs' }));
    await held.release();
    expect(existsSync(file())).toBe(true);
  });

  it('isAlive tells running from finished processes', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(0)).toBe(false);
    expect(isAlive(2 ** 31)).toBe(false);
  });
});

describe('database manifest', () => {
  it.each([
    ['min_gemleak_version: 0.3.0\n', '0.3.0'],
    ['min_gemleak_version: "1.10"\n', '1.10.0'],
    ['min_gemleak_version: 1.10\n', '1.10.0'],
    ['min_gemleak_version: v2.0.0-beta.1\n', '2.0.0-beta.1'],
    ['# nothing required\n', null],
  ])('%j reads as %s', async (text, expected) => {
    writeFileSync(path.join(root, 'gemleak.yml'), text);
    expect((await readManifest(root))?.minGemleakVersion).toBe(expected);
  });

  it('is optional', async () => {
    expect(await readManifest(root)).toBeNull();
  });

  it.each([
    ['min_gemleak_version: soon\n', 1, /must be a version such as "0.3.0", got 'soon'/],
    ['\nmin_gemleak_version: [1]\n', 2, /must be a version/],
    ['- a list\n', 1, /must be a YAML mapping/],
    ['a: [\n', 2, /not valid YAML/],
  ])('refuses %j at line %i', async (text, line, message) => {
    writeFileSync(path.join(root, 'gemleak.yml'), text);
    await expect(readManifest(root)).rejects.toMatchObject({ code: 'MANIFEST_INVALID', line, message: expect.stringMatching(message) });
  });

  it('lists keys it does not know, with their line', async () => {
    writeFileSync(path.join(root, 'gemleak.yml'), 'min_gemleak_version: 0.1.0\nschema: 2\n');
    expect((await readManifest(root))?.unknownKeys).toEqual([{ key: 'schema', line: 2 }]);
  });

  it.each([
    [null, '0.1.0', true],
    ['0.1.0', '0.1.0', true],
    ['0.1.0', '0.2.0', true],
    ['0.2.0', '0.1.9', false],
    ['1.0.0', '1.0.0-rc.1', false],
  ])('min %s with gemleak %s: supported %s', async (min, version, ok) => {
    const result = requireSupportedVersion(min, version);
    if (ok) await expect(result).resolves.toBeUndefined();
    else await expect(result).rejects.toMatchObject({ code: 'DB_NEEDS_NEWER_GEMLEAK', exitCode: 2 });
  });
});

describe('checkFreshness', () => {
  const now = Date.parse('2024-06-01T00:00:00Z');
  const bundled: DatabaseSummary = { kind: 'bundled', path: '/b', advisories: 48, url: null, commit: null, commitDate: null, syncedAt: null };
  const synced = (syncedAt: string): DatabaseSummary => ({ kind: 'synced', path: '/s', advisories: 14, url: 'u', commit: 'abc1234', commitDate: '2021-11-24', syncedAt });
  const custom: DatabaseSummary = { ...bundled, kind: 'custom' };

  it.each([
    ['synced yesterday', [bundled, synced('2024-05-31T00:00:00Z')], {}, 0],
    ['synced exactly 30 days ago', [bundled, synced('2024-05-02T00:00:00Z')], {}, 0],
    ['synced 31 days ago', [bundled, synced('2024-05-01T00:00:00Z')], {}, 1],
    ['synced 31 days ago, --max-age 60', [bundled, synced('2024-05-01T00:00:00Z')], { maxAge: 60 }, 0],
    ['synced 2 days ago, --max-age 1', [bundled, synced('2024-05-30T00:00:00Z')], { maxAge: 1 }, 1],
    ['never synced', [bundled], {}, 0],
    ['a custom database, even with --fail-on-stale', [custom], { failOnStale: true }, 0],
  ])('%s: %i warning(s)', (_name, databases, options, warnings) => {
    expect(checkFreshness(databases, options, now)).toHaveLength(warnings);
  });

  it('--fail-on-stale throws DB_STALE (exit 2) when stale or never synced', () => {
    expect(() => checkFreshness([bundled, synced('2024-01-01T00:00:00Z')], { failOnStale: true }, now)).toThrow(/last synced 152 days ago \(2024-01-01\)/);
    expect(() => checkFreshness([bundled], { failOnStale: true }, now)).toThrow(GemleakError);
  });
});
