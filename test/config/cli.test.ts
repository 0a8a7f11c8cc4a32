import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';

/** `.gemleak.toml` through the real CLI: lookup, ignores that expire, stale ignores, errors (exit 2). */
let root: string;
let app: string;
/** A data home whose synced copy (the small database) came from https://example.com/leaks.git 10 days ago. */
let home: string;
const env = () => ({ GEMLEAK_DB: path.join(root, 'db') });

function config(text: string): void {
  writeFileSync(path.join(app, '.gemleak.toml'), text);
}

beforeAll(() => {
  root = tempDir('gemleak-config-cli-');
  writeSmallDatabase(path.join(root, 'db'));
  app = path.join(root, 'app');
  writeTree(app, { 'Gemfile.lock': lockfileWith(['rack (2.2.8)', 'redis (3.3.0)', 'oj (0.9)']), 'sub/dir/README': '' });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: app });
  home = path.join(root, 'home');
  writeSmallDatabase(path.join(home, 'synced', 'copy'));
  const syncedAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const state = {
    format: 1,
    path: 'synced/copy',
    url: 'https://example.com/leaks.git',
    branch: 'main',
    commit: 'a'.repeat(40),
    commitDate: '2024-01-01T00:00:00+00:00',
    syncedAt,
    advisories: 2,
    problems: 0,
    minGemleakVersion: null,
    syncedBy: '0.1.0',
  };
  writeFileSync(path.join(home, 'synced.json'), JSON.stringify(state));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ignores in .gemleak.toml', () => {
  it('an ignore in force suppresses its finding; --ignore adds to the config', () => {
    config('[[ignore]]\nid = "redis-612"\nreason = "pinned until the cluster upgrade"\nuntil = 2999-12-31\n');
    const partial = runCli(['check'], { cwd: app, env: env() });
    expect(partial.status).toBe(1);
    expect(partial.stdout).toContain('redis 3.3.0  redis-612: pinned until the cluster upgrade until 2999-12-31');
    expect(partial.stdout).toContain('1 known leak in 1 gem version');
    const both = runCli(['check', '--ignore', 'oj-1'], { cwd: app, env: env() });
    expect(both.status).toBe(0);
    expect(both.stdout).toContain('Ignored (2):');
    expect(both.stderr).toBe('');
  });

  it('an expired ignore stops applying: exit 1, with a warning at its line', () => {
    config('[[ignore]]\nid = "oj-1"\nreason = "one-off task"\n\n[[ignore]]\nid = "redis-612"\nreason = "pinned"\nuntil = 2001-01-31\n');
    const run = runCli(['check'], { cwd: app, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('redis 3.3.0  Gemfile.lock:5');
    expect(run.stderr).toBe('gemleak: warning: .gemleak.toml:5: ignore redis-612 expired on 2001-01-31 (reason: pinned); its finding counts again: fix it, or move until to a later date\n');
  });

  it('warns about an ignore that matched nothing (stale config), without failing', () => {
    config('[[ignore]]\nid = "redis-612"\nreason = "r"\n[[ignore]]\nid = "oj-1"\nreason = "r"\n[[ignore]]\nid = "sidekiq-2598"\nreason = "upgraded since"\n');
    const run = runCli(['check'], { cwd: app, env: env() });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'gemleak: warning: .gemleak.toml:7: ignore sidekiq-2598 matched no finding in the lockfile checked: remove it if the gem was upgraded or removed; no database in use has an advisory sidekiq-2598 (a typo?)\n',
    );
  });

  it('is found from a subfolder up to the git root, and --no-config drops it', () => {
    config('[[ignore]]\nid = "redis-612"\nreason = "r"\n[[ignore]]\nid = "oj-1"\nreason = "r"\n');
    expect(runCli(['check', '../..'], { cwd: path.join(app, 'sub/dir'), env: env() }).status).toBe(0);
    expect(runCli(['check', '../..', '--no-config'], { cwd: path.join(app, 'sub/dir'), env: env() }).status).toBe(1);
  });
});

describe('other keys', () => {
  it('format is the default format; --format overrides it', () => {
    config('format = "json"\n');
    expect(JSON.parse(runCli(['check'], { cwd: app, env: env() }).stdout).schema_version).toBe(1);
    expect(runCli(['check', '--format', 'text'], { cwd: app, env: env() }).stdout).toContain('known leaks in');
  });

  it('--config reads another file; a missing one is an error', () => {
    writeFileSync(path.join(root, 'ci.toml'), 'format = "markdown"\n');
    expect(runCli(['check', '--config', '../ci.toml'], { cwd: app, env: env() }).stdout).toMatch(/^### :x: gemleak/);
    const missing = runCli(['check', '--config', 'nope.toml'], { cwd: app, env: env() });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('gemleak: nope.toml: config file not found\n');
  });

  it("max_age feeds --max-age (the synced copy's age); --max-age on the command line wins", () => {
    const stale = /the advisory database was last synced 10 days ago \(\d{4}-\d{2}-\d{2}\), more than --max-age (\d+)/;
    config('max_age = 7\n');
    expect(runCli(['check'], { cwd: app, env: { GEMLEAK_HOME: home } }).stderr).toMatch(stale);
    expect(runCli(['check'], { cwd: app, env: { GEMLEAK_HOME: home } }).stderr.match(stale)?.[1]).toBe('7');
    config('max_age = 30\n');
    expect(runCli(['check'], { cwd: app, env: { GEMLEAK_HOME: home } }).stderr).not.toMatch(stale);
    expect(runCli(['check', '--max-age', '5'], { cwd: app, env: { GEMLEAK_HOME: home } }).stderr.match(stale)?.[1]).toBe('5');
  });

  it('[[database]] path adds a local database; an advisory in two databases is reported once, naming both', () => {
    writeTree(root, {
      'internal/gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'], title: 'Timeout threads pile up (internal copy)' }),
      'internal/gems/rack/9001.yml': advisoryFile('rack', { leaky: ['< 3'], patched: ['>= 3'], title: 'Found in our own heap dumps' }),
    });
    config('[[database]]\nname = "internal"\npath = "../internal"\n');
    const run = runCli(['check', '--format', 'json'], { cwd: app, env: {} });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    const redis = report.findings.filter((finding: { gem: string }) => finding.gem === 'redis');
    expect(redis).toHaveLength(1);
    expect(redis[0].sources).toEqual(['bundled', 'internal']);
    expect(redis[0].advisory.title).toBe('Timeout threads pile up (internal copy)');
    expect(report.findings.find((finding: { gem: string }) => finding.gem === 'rack').sources).toEqual(['internal']);
    expect(report.database.sources.map((source: { kind: string; name: string | null }) => [source.kind, source.name])).toEqual([
      ['bundled', null],
      ['local', 'internal'],
    ]);
  });

  it('[[database]] url: the synced copy when it came from that URL; one not synced yet is a warning (an error with --fail-on-stale)', () => {
    config('[[database]]\nname = "team leaks"\nurl = "https://example.com/leaks.git"\n\n[[database]]\nurl = "https://token@example.com/private.git"\n');
    const run = runCli(['check', '--format', 'json'], { cwd: app, env: { GEMLEAK_HOME: home } });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.database.sources.map((source: { kind: string; name: string | null }) => [source.kind, source.name])).toEqual([
      ['bundled', null],
      ['synced', 'team leaks'],
    ]);
    expect(report.findings.find((finding: { gem: string }) => finding.gem === 'redis').sources).toEqual(['bundled', 'team leaks']);
    const warning =
      '[[database]] url https://***@example.com/private.git has no synced copy yet, so its advisories were not checked: run gemleak update (it syncs every [[database]] url of .gemleak.toml)';
    expect(run.stderr).toBe(`gemleak: warning: .gemleak.toml:5: ${warning}\n`);
    const strict = runCli(['check', '--fail-on-stale'], { cwd: app, env: { GEMLEAK_HOME: home } });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toBe(`gemleak: .gemleak.toml:5: ${warning} (--fail-on-stale)\n`);
  });

  it('[[database]] url that git would run a program for is refused at its line', () => {
    config('[[database]]\nurl = "ext::sh -c touch% /tmp/pwned"\n');
    const run = runCli(['check'], { cwd: app, env: env() });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: \.gemleak\.toml:2: \[\[database\]\] url: refusing database URL 'ext::sh -c touch% \/tmp\/pwned': /);
  });

  it('[[database]] path that is not a database is an error at its line', () => {
    config('format = "text"\n\n[[database]]\npath = "../nowhere"\n');
    const run = runCli(['check'], { cwd: app, env: {} });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: \.gemleak\.toml:3: \[\[database\]\] path .*nowhere: not an advisory database/);
  });
});

describe('config errors exit 2 with file:line, before anything is checked', () => {
  const cases = [
    {
      text: '[[ignore]]\nid = "redis-612"\nreason = "r"\nuntill = 2025-01-01\n',
      stderr: 'gemleak: .gemleak.toml:4: unknown key "untill" in [[ignore]] (did you mean "until"?); known keys: id, reason, until\n',
    },
    {
      text: '[[ignore]]\nid = "redis-612"\nreason = "r"\nuntil = 2025-02-30\n',
      stderr: 'gemleak: .gemleak.toml:4: [[ignore]] until: not a valid date: "2025-02-30" (write YYYY-MM-DD: until = 2025-06-30)\n',
    },
    { text: 'max_age = "30"\n', stderr: 'gemleak: .gemleak.toml:1: max_age: expected a whole number of days (max_age = 30), got a string ("30")\n' },
    { text: '\nformat = "xml"\n', stderr: 'gemleak: .gemleak.toml:2: format: unknown format "xml" (choose one of text, table, json, sarif, github, markdown, junit)\n' },
    { text: '[[ignore]]\nid = "redis-612"\n', stderr: 'gemleak: .gemleak.toml:1: [[ignore]]: missing reason (reason = "why this leak does not matter here")\n' },
    { text: 'format = \n', stderr: /^gemleak: \.gemleak\.toml:1: not valid TOML: / },
  ];
  it.each(cases)('$stderr', ({ text, stderr }) => {
    config(text);
    const run = runCli(['check'], { cwd: app, env: env() });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    if (typeof stderr === 'string') expect(run.stderr).toBe(stderr);
    else expect(run.stderr).toMatch(stderr);
  });
});
