import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runCheck } from '../../src/check/run.js';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';

/** The library's check on real folders: a monorepo with two apps, each with its own .gemleak.toml. */
let root: string;
let db: string;

beforeAll(() => {
  root = tempDir();
  db = path.join(root, 'db');
  writeSmallDatabase(db);
  writeTree(root, {
    'repo/.gemleak.toml': '# the repository-wide config: no ignores\n',
    'repo/apps/quiet/.gemleak.toml': '[[ignore]]\nid = "redis-612"\nreason = "this app never writes to redis"\n',
    'repo/apps/quiet/Gemfile.lock': lockfileWith(['redis (3.3.0)']),
    'repo/apps/loud/Gemfile.lock': lockfileWith(['redis (3.3.0)']),
  });
  execFileSync('git', ['init', '-q', path.join(root, 'repo')], { env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const request = (paths: string[], extra: Partial<Parameters<typeof runCheck>[0]> = {}) => ({
  paths,
  cwd: path.join(root, 'repo'),
  env: { GEMLEAK_DB: db, GEMLEAK_HOME: path.join(root, 'home') },
  now: new Date('2026-06-01T12:00:00Z'),
  ...extra,
});

describe('runCheck: the config of each lockfile is the nearest one at or above it', () => {
  it("one app's ignore never silences another app's finding when run from the top", async () => {
    const result = await runCheck(request(['apps/quiet', 'apps/loud']));
    const active = result.audits.map((audit) => [audit.lockfile, audit.findings.filter((f) => !f.suppressed).length]);
    expect(active).toEqual([
      [path.join('apps', 'quiet', 'Gemfile.lock'), 0],
      [path.join('apps', 'loud', 'Gemfile.lock'), 1],
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.summary).toMatchObject({ leaks: 1, gemVersions: 1, lockfiles: 2, affectedLockfiles: 1, suppressed: 1 });
    expect(result.ignores?.map((rule) => [rule.file, rule.status])).toEqual([[path.join('apps', 'quiet', '.gemleak.toml'), 'applied']]);
  });

  it('--config FILE applies to every lockfile', async () => {
    const result = await runCheck(request(['apps/quiet', 'apps/loud'], { config: 'apps/quiet/.gemleak.toml' }));
    expect(result.summary.leaks).toBe(0);
    expect(result.exitCode).toBe(0);
  });

  it('--no-config applies none', async () => {
    const result = await runCheck(request(['apps/quiet', 'apps/loud'], { config: false }));
    expect(result.summary.leaks).toBe(2);
  });
});

describe('runCheck: the same lockfile given twice is checked once', () => {
  it.each([[['apps/loud', 'apps/loud/Gemfile.lock']], [['apps/loud', '<root>/repo/apps/loud']], [['apps/loud', 'apps/../apps/loud/Gemfile.lock']]])('%j', async (paths) => {
    const fixed = paths.map((p) => p.replace('<root>', root));
    const result = await runCheck(request(fixed));
    expect(result.audits).toHaveLength(1);
    expect(result.summary).toMatchObject({ leaks: 1, gemVersions: 1, lockfiles: 1 });
  });
});

describe('paths keep the form the user typed', () => {
  it('an absolute lockfile path stays absolute in the report and the fix', () => {
    const absolute = path.join(root, 'repo', 'apps', 'loud', 'Gemfile.lock');
    const run = runCli(['check', absolute, '--format', 'json'], { cwd: path.join(root, 'repo', 'apps'), env: { GEMLEAK_DB: db, GEMLEAK_HOME: path.join(root, 'home') } });
    const report = JSON.parse(run.stdout);
    expect(report.findings[0].lockfile).toBe(absolute);
    expect(report.findings[0].fix.runnable).toBe(`cd -- ${path.dirname(absolute)} && bundle update redis`);
  });

  it('an error names the path as typed', () => {
    const run = runCli(['check', '/no/such/dir'], { cwd: root, env: { GEMLEAK_DB: db } });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('gemleak: /no/such/dir: no such file or folder; expected a readable Gemfile.lock or gems.locked\n');
  });
});
