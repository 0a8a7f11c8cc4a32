import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GEMLEAK_VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, tempDir, writeTree } from '../helpers/fixtures.js';
import { bundledDatabase, hasShared, publicDatabase, SKIP_NO_SHARED } from '../helpers/paths.js';
import { bundledCount, makeRemote, readState } from '../update/remote.js';

let root: string;
beforeEach(() => {
  root = tempDir('gemleak-db-cmd-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('gemleak db status', () => {
  it('before any update: bundled in use, synced none yet, custom not set', () => {
    const home = path.join(root, 'home');
    const run = runCli(['db', 'status'], { env: { GEMLEAK_HOME: home } });
    expect(run.status).toBe(0);
    const count = bundledCount(bundledDatabase);
    expect(run.stdout).toBe(
      [
        `Data folder: ${home} (from GEMLEAK_HOME)`,
        '',
        `bundled: ${count} advisories`,
        `  path         ${bundledDatabase}`,
        `  shipped with gemleak ${GEMLEAK_VERSION}`,
        '',
        'synced: none yet (run gemleak update)',
        '',
        'custom: not set (GEMLEAK_DB, or gemleak check --database DIR)',
        '',
        `gemleak check uses: bundled (${count} advisories)`,
        '',
      ].join('\n'),
    );
  });

  it('after an update: the synced copy with its source, branch, commit and sync time; JSON too', () => {
    const remote = makeRemote({ branch: 'trunk', files: { 'gems/gl-status/1.yml': advisoryFile('gl-status', { leaky: ['< 1'] }) } });
    try {
      const env = { GEMLEAK_HOME: remote.home };
      expect(runCli(['update', '--url', remote.url], { env }).status).toBe(0);
      const state = readState(remote.home);
      const text = runCli(['db', 'status'], { env });
      expect(text.status).toBe(0);
      expect(text.stdout).toContain(
        [
          'synced: 1 advisory',
          `  path         ${path.resolve(remote.home, state.path as string)}`,
          `  source       ${remote.url} (branch trunk)`,
          `  last commit  ${(state.commitDate as string).slice(0, 10)} (${(state.commit as string).slice(0, 7)})`,
          `  last sync    ${(state.syncedAt as string).replace('T', ' ').slice(0, 16)} UTC (today)`,
        ].join('\n'),
      );
      expect(text.stdout).toContain(`gemleak check uses: bundled + synced (${bundledCount(bundledDatabase) + 1} advisories)`);

      const json = runCli(['db', 'status', '--format', 'json'], { env: { ...env, GEMLEAK_DB: path.join(root, 'missing-db') } });
      expect(json.status).toBe(0);
      const status = JSON.parse(json.stdout) as { data_home: string; databases: Record<string, unknown>[]; check_uses: { kinds: string[] } };
      expect(status.data_home).toBe(remote.home);
      expect(status.databases.map((entry) => [entry.kind, entry.state, entry.in_use])).toEqual([
        ['bundled', 'ok', false],
        ['synced', 'ok', false],
        ['custom', 'unusable', false],
      ]);
      expect(status.databases[1]).toMatchObject({ url: remote.url, branch: 'trunk', commit: (state.commit as string).slice(0, 7), synced_at: state.syncedAt });
      expect(status.databases[2]).toMatchObject({ problem: 'not an advisory database: it has no gems/ folder' });
      expect(status.check_uses.kinds).toEqual([]);
    } finally {
      remote.cleanup();
    }
  });

  it('shows a damaged record as unusable, with the reason', () => {
    const home = path.join(root, 'home');
    writeTree(home, { 'synced.json': '[]' });
    const run = runCli(['db', 'status'], { env: { GEMLEAK_HOME: home } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`synced: unusable\n  path         ${path.join(home, 'synced.json')}\n  problem      ${path.join(home, 'synced.json')}: not a JSON object`);
  });
});

describe('gemleak db lint', () => {
  it('a clean database: exit 0 and the count', () => {
    writeTree(root, { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'] }) });
    const run = runCli(['db', 'lint', '.'], { cwd: root });
    expect(run.stdout).toBe('.: 1 advisory, no problems\n');
    expect(run.status).toBe(0);
  });

  it('reports ranges that can never match or call a version both leaky and patched', () => {
    writeTree(root, {
      'gems/redis/1.yml': advisoryFile('redis', { leaky: ['< 2.0'], patched: ['>= 1.9'] }),
      'gems/redis/2.yml': advisoryFile('redis', { leaky: ['> 2.0, < 1.0'], patched: ['>= 2.1'] }),
    });
    const run = runCli(['db', 'lint', '.'], { cwd: root });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('gems/redis/1.yml:11: 1.9 is both leaky and patched');
    expect(run.stdout).toContain('gems/redis/2.yml:9: no version is affected');
  });

  it('lists every problem as file:line, and exits 1', () => {
    writeTree(root, {
      'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'] }).replace('title:', 'titel: typo\ntitle:'),
      'gems/redis/613.yml': '---\ngem: redis\nurl: https://example.com\ntitle: t\ndate: 2020-13-01\npatched_version: [">= 1"]\n',
      'gems/oj/1.yml': '---\ngem: ox\nurl: https://example.com\ntitle: t\ndate: 2020-01-01\n',
      'gems/oj/2.yaml': 'gem: oj\n',
      'gems/oj/notes.txt': 'notes\n',
      'gems/README.md': 'readme\n',
      'gemleak.yml': 'min_gemleak_version: 0.1.0\nextra: 1\n',
    });
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'gems', 'linked'));
    // Run from the parent with the folder's own name: paths read as the user typed them.
    const named = runCli(['db', 'lint', path.basename(root)], { cwd: path.dirname(root) });
    expect(named.status).toBe(1);
    const base = path.basename(root);
    expect(named.stdout.split('\n')).toEqual([
      `${base}/gemleak.yml:2: unknown key 'extra' (known: min_gemleak_version)`,
      `${base}/gems/README.md: not a gem folder: gems/ holds one folder per gem`,
      `${base}/gems/linked: symbolic links are not followed in an advisory database`,
      `${base}/gems/oj/1.yml:2: gem 'ox' does not match its folder gems/oj/`,
      `${base}/gems/oj/2.yaml: advisory files end in .yml: gemleak does not read .yaml`,
      `${base}/gems/oj/notes.txt: not an advisory: gemleak reads only <id>.yml files here`,
      `${base}/gems/redis/612.yml:4: unknown key 'titel': gemleak ignores it (a typo?)`,
      `${base}/gems/redis/613.yml:5: date must be a real date written YYYY-MM-DD, got '2020-13-01'`,
      `${base}/gems/redis/613.yml:6: unknown key 'patched_version': gemleak ignores it (a typo?)`,
      `9 problems in ${base} (3 advisories)`,
      '',
    ]);
  });

  it('a folder without gems/, with gems/ as a symbolic link, or missing is exit 2 naming the path as typed', () => {
    writeTree(root, { 'plain/README.md': 'x', 'target/redis/1.yml': advisoryFile('redis', { leaky: ['< 1'] }) });
    mkdirSync(path.join(root, 'linked'));
    symlinkSync(path.join(root, 'target'), path.join(root, 'linked', 'gems'));
    // Issue 11: no gems/ at all is the wrong folder (exit 2, named as typed), not a database with a problem.
    const plain = runCli(['db', 'lint', 'plain'], { cwd: root });
    expect(plain.status).toBe(2);
    expect(plain.stderr).toBe('gemleak: plain: not an advisory database: it has no gems/ folder\n');
    const linked = runCli(['db', 'lint', 'linked'], { cwd: root });
    expect(linked.status).toBe(2);
    expect(linked.stderr).toBe('gemleak: linked: gems/ is a symbolic link, which is never followed in an advisory database\n');
    const missing = runCli(['db', 'lint', 'nowhere'], { cwd: root });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('gemleak: nowhere: no such folder\n');
    const empty = runCli(['db', 'lint', ''], { cwd: root });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("'' is not a folder");
    const absolute = runCli(['db', 'lint', path.join(root, 'plain')], { cwd: root });
    expect(absolute.stderr).toBe(`gemleak: ${path.join(root, 'plain')}: not an advisory database: it has no gems/ folder\n`);
  });

  it('a database folder given as a symbolic link is linted (links inside it are not followed)', () => {
    writeTree(root, { 'real/gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'] }) });
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    const run = runCli(['db', 'lint', 'alias'], { cwd: root });
    expect(run.stdout).toBe('alias: 1 advisory, no problems\n');
    expect(run.status).toBe(0);
  });

  it.skipIf(!hasShared)(`the public ruby-mem-advisory-db lints clean ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
    const run = runCli(['db', 'lint', publicDatabase]);
    expect(run.stdout).toMatch(/: 14 advisories, no problems\n$/);
    expect(run.status).toBe(0);
  });

  it('the bundled database lints clean as the bundled database', () => {
    const run = runCli(['db', 'lint', '--bundled']);
    expect(run.stdout).toMatch(/ advisories, no problems\n$/);
    expect(run.status).toBe(0);
  });
});
