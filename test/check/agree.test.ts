import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, writeTree } from '../helpers/fixtures.js';
import { ALPHA, BETA, INITIAL_DATABASE, type TestRemote, advisory, makeRemote } from '../update/remote.js';

/**
 * `check`, `--version` and `db status` answer "which databases, how many advisories" from one
 * library function: in every setup the README describes, the three print the same count.
 */
let remote: TestRemote | undefined;
afterEach(() => {
  remote?.cleanup();
  remote = undefined;
});

interface Counts {
  version: number;
  status: number;
  check: number;
  checkSources: string[];
}

function counts(cwd: string, env: Record<string, string>): Counts {
  const version = runCli(['--version'], { cwd, env });
  const status = runCli(['db', 'status', '--format', 'json'], { cwd, env });
  const check = runCli(['check', 'app', '--format', 'json'], { cwd, env });
  expect([0, 1]).toContain(check.status);
  const report = JSON.parse(check.stdout) as { database: { advisories: number; sources: { kind: string }[] } };
  return {
    version: Number(/\((\d+) advisor(?:y|ies)/.exec(version.stdout)?.[1] ?? NaN),
    status: (JSON.parse(status.stdout) as { check_uses: { advisories: number } }).check_uses.advisories,
    check: report.database.advisories,
    checkSources: report.database.sources.map((source) => source.kind),
  };
}

function setUp(files: Record<string, string> = INITIAL_DATABASE): TestRemote {
  remote = makeRemote({ files });
  writeTree(remote.root, { 'app/Gemfile.lock': lockfileWith([`${ALPHA} (1.5)`, `${BETA} (0.5)`]) });
  return remote;
}

const envOf = (r: TestRemote, extra: Record<string, string> = {}) => ({ GEMLEAK_HOME: r.home, ...extra });

describe('check, --version and db status agree on the databases used', () => {
  it('bundled only', () => {
    const r = setUp();
    const c = counts(r.root, envOf(r));
    expect(c.checkSources).toEqual(['bundled']);
    expect([c.version, c.status]).toEqual([c.check, c.check]);
  });

  it('bundled + synced', () => {
    const r = setUp();
    expect(runCli(['update', '--url', r.url], { env: envOf(r) }).status).toBe(0);
    const c = counts(r.root, envOf(r));
    expect(c.checkSources).toEqual(['bundled', 'synced']);
    expect([c.version, c.status]).toEqual([c.check, c.check]);
  });

  it('a synced copy whose manifest needs a newer gemleak is left out by all three', () => {
    const r = setUp({ ...INITIAL_DATABASE, 'gemleak.yml': 'min_gemleak_version: 0.0.1\n' });
    expect(runCli(['update', '--url', r.url], { env: envOf(r) }).status).toBe(0);
    // As a newer gemleak would have synced it: the record says the copy needs gemleak 99.
    const stateFile = path.join(r.home, 'synced.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify({ ...state, minGemleakVersion: '99.0.0' }));
    const c = counts(r.root, envOf(r));
    expect(c.checkSources).toEqual(['bundled']);
    expect([c.version, c.status]).toEqual([c.check, c.check]);
  });

  it('a [[database]] path in .gemleak.toml', () => {
    const r = setUp();
    writeTree(r.root, {
      'local-db/gems/gl-local/1.yml': advisoryFile('gl-local', { leaky: ['< 9'], patched: ['>= 9'] }),
      '.gemleak.toml': '[[database]]\npath = "local-db"\nname = "ours"\n',
    });
    const c = counts(r.root, envOf(r));
    expect(c.checkSources).toEqual(['bundled', 'local']);
    expect([c.version, c.status]).toEqual([c.check, c.check]);
  });

  it('a [[database]] url in .gemleak.toml, synced by gemleak update', () => {
    const r = setUp();
    const other = makeRemote({ files: { [`gems/${BETA}/2.yml`]: advisory(BETA, ['< 1.0']) } });
    try {
      writeTree(r.root, { '.gemleak.toml': `[[database]]\nurl = "${other.url}"\nname = "private"\n` });
      expect(runCli(['update'], { cwd: r.root, env: envOf(r, { GEMLEAK_DB_URL: r.url }) }).status).toBe(0);
      const c = counts(r.root, envOf(r, { GEMLEAK_DB_URL: r.url }));
      expect(c.checkSources).toEqual(['bundled', 'synced', 'synced']);
      expect([c.version, c.status]).toEqual([c.check, c.check]);
    } finally {
      other.cleanup();
    }
  });

  it('GEMLEAK_DB and --database name exactly one database', () => {
    const r = setUp();
    writeTree(r.root, { 'custom/gems/gl-custom/1.yml': advisoryFile('gl-custom', { leaky: ['< 9'], patched: ['>= 9'] }) });
    const c = counts(r.root, envOf(r, { GEMLEAK_DB: path.join(r.root, 'custom') }));
    expect(c.checkSources).toEqual(['custom']);
    expect([c.version, c.status, c.check]).toEqual([1, 1, 1]);
  });

  it('a broken advisory is not counted by any of the three', () => {
    const r = setUp();
    writeTree(r.root, {
      'custom/gems/gl-custom/1.yml': advisoryFile('gl-custom', { leaky: ['< 9'], patched: ['>= 9'] }),
      'custom/gems/gl-custom/2.yml': 'gem: gl-custom\nurl: [not, a, url\n',
    });
    const c = counts(r.root, envOf(r, { GEMLEAK_DB: path.join(r.root, 'custom') }));
    expect([c.version, c.status, c.check]).toEqual([1, 1, 1]);
  });
});
