import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, writeTree } from '../helpers/fixtures.js';
import { bundledDatabase } from '../helpers/paths.js';
import { ALPHA, BETA, INITIAL_DATABASE, type TestRemote, advisory, bundledCount, makeRemote, readState } from './remote.js';

let remote: TestRemote;
afterEach(() => remote?.cleanup());

const env = (extra: Record<string, string> = {}) => ({ GEMLEAK_HOME: remote.home, ...extra });

function app(specs: string[]): string {
  const folder = path.join(remote.root, 'app');
  writeTree(folder, { 'Gemfile.lock': lockfileWith(specs) });
  return folder;
}

function check(specs: string[], args: string[] = [], extra: Record<string, string> = {}) {
  return runCli(['check', app(specs), '--verbose', ...args], { cwd: remote.root, env: env(extra) });
}

/** Moves the last sync time back by `days`, as if the copy had not been updated since. */
function ageCopy(days: number): void {
  const file = path.join(remote.home, 'synced.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  state.syncedAt = new Date(Date.now() - days * 86_400_000).toISOString();
  writeFileSync(file, JSON.stringify(state));
}

describe('check with the synced copy: merged with the bundled database', () => {
  it('counts an advisory present in both once, and uses the synced version of it', () => {
    remote = makeRemote({
      files: {
        ...INITIAL_DATABASE,
        // redis-612 is in the bundled database too: the synced copy's text wins.
        'gems/redis/612.yml': advisory('redis', ['= 3.3.0'], 'Synced title for redis 612'),
      },
    });
    expect(runCli(['update', '--url', remote.url], { env: env() }).status).toBe(0);
    const run = check(['redis (3.3.0)'], ['--format', 'json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as {
      findings: { advisory: { title: string } }[];
      database: { advisories: number; sources: { kind: string; advisories: number; url: string | null; commit: string | null; commit_date: string | null; synced_at: string | null }[] };
    };
    expect(report.findings.map((finding) => finding.advisory.title)).toEqual(['Synced title for redis 612']);
    expect(report.database.advisories).toBe(bundledCount(bundledDatabase) + 1);
    const state = readState(remote.home);
    expect(report.database.sources).toEqual([
      expect.objectContaining({ kind: 'bundled', url: null, synced_at: null }),
      expect.objectContaining({
        kind: 'synced',
        path: path.resolve(remote.home, state.path as string),
        advisories: 2,
        url: remote.url,
        commit: (state.commit as string).slice(0, 7),
        commit_date: (state.commitDate as string).slice(0, 10),
        synced_at: state.syncedAt,
      }),
    ]);
  });

  it('syncing never makes a check see less: bundled-only advisories stay', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const run = check(['redis (3.3.0)']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('  redis-612  ');
  });

  it('--database and GEMLEAK_DB name exactly the database to use: no merging', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const custom = path.join(remote.root, 'custom-db');
    writeTree(custom, { [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']) });
    for (const run of [check([`${ALPHA} (1.5)`, `${BETA} (0.5)`], ['--database', custom]), check([`${ALPHA} (1.5)`, `${BETA} (0.5)`], [], { GEMLEAK_DB: custom })]) {
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(`${BETA} 0.5`);
      expect(run.stdout).not.toContain(`${ALPHA} 1.5`);
      expect(run.stdout).toContain(`Database: custom, 1 advisory (${custom})`);
      expect(run.stdout).not.toContain('Database: synced');
    }
  });

  it('reads the index the update wrote beside the copy (no YAML on the check path), else the YAML', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const copy = path.resolve(remote.home, readState(remote.home).path as string);
    const index = `${copy}.index.json`;
    expect(JSON.parse(readFileSync(index, 'utf8'))).toMatchObject({ format: 2, commit: readState(remote.home).commit, files: [`gems/${ALPHA}/1.yml`] });
    // Edit the YAML behind the index's back: the check still reports what the update validated.
    const yaml = path.join(copy, 'gems', ALPHA, '1.yml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^title: .*$/m, 'title: Edited by hand'));
    expect(check([`${ALPHA} (1.5)`]).stdout).toContain(`${ALPHA} keeps every request alive`);
    // An index of another commit is not trusted; without one, the YAML is read.
    writeFileSync(index, readFileSync(index, 'utf8').replace(/"commit":"[0-9a-f]+"/, '"commit":"0000000"'));
    expect(check([`${ALPHA} (1.5)`]).stdout).toContain('Edited by hand');
    rmSync(index);
    expect(check([`${ALPHA} (1.5)`]).stdout).toContain('Edited by hand');
  });

  it('--strict fails on a broken advisory of a locked gem in the synced copy', () => {
    remote = makeRemote({ files: { ...INITIAL_DATABASE, [`gems/${BETA}/2.yml`]: `---\ngem: ${BETA}\ntitle: [unclosed\n` } });
    runCli(['update', '--url', remote.url], { env: env() });
    // --strict judges every advisory of the databases, not only those of the gems locked.
    expect(check([`${ALPHA} (1.5)`], ['--strict']).status).toBe(2);
    const run = check([`${BETA} (0.5)`], ['--strict']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^gemleak: \\S+/gems/${BETA}/2\\.yml:\\d+: .*\\(--strict\\)\\n$`));
  });

  it('gemleak --version reports the merged count of the databases in use', () => {
    remote = makeRemote({ files: { ...INITIAL_DATABASE, [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']) } });
    const before = runCli(['--version'], { env: env() });
    expect(before.stdout).toMatch(new RegExp(`^gemleak \\S+ \\(${bundledCount(bundledDatabase)} advisories, bundled database\\)\\n$`));
    runCli(['update', '--url', remote.url], { env: env() });
    const after = runCli(['--version'], { env: env() });
    expect(after.stdout).toMatch(new RegExp(`^gemleak \\S+ \\(${bundledCount(bundledDatabase) + 2} advisories, bundled \\+ synced databases\\)\\n$`));
  });

  it('a damaged record or a removed copy: a warning, and the check goes on with the bundled database', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const copy = path.resolve(remote.home, readState(remote.home).path as string);
    rmSync(copy, { recursive: true, force: true });
    const removed = check(['redis (3.3.0)']);
    expect(removed.status).toBe(1);
    expect(removed.stderr).toMatch(/^gemleak: warning: synced advisory database not used: \S+: not an advisory database: it has no gems\/ folder; run gemleak update to repair it/);
    writeFileSync(path.join(remote.home, 'synced.json'), '{"format": 1, "path":');
    const damaged = check(['redis (3.3.0)']);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toContain('synced advisory database not used: ');
    expect(damaged.stderr).toContain('synced.json: not valid JSON');
    const repaired = runCli(['update', '--url', remote.url], { env: env() });
    expect(repaired.status).toBe(0);
    expect(check([`${ALPHA} (1.5)`]).stderr).toBe('');
  });

  it('a synced copy that needs a newer gemleak (gemleak was downgraded) is not misread: warning, bundled only', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const file = path.join(remote.home, 'synced.json');
    writeFileSync(file, JSON.stringify({ ...readState(remote.home), minGemleakVersion: '99.0.0' }));
    const run = check([`${ALPHA} (1.5)`]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/synced advisory database not used: \S+gemleak\.yml: this advisory database needs gemleak 99\.0\.0 or later, and this is gemleak \S+: upgrade gemleak/);
  });

  it('a --database with a manifest asking for a newer gemleak is exit 2', () => {
    remote = makeRemote();
    const custom = path.join(remote.root, 'custom-db');
    writeTree(custom, { [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']), 'gemleak.yml': '# needs the new schema\nmin_gemleak_version: "99.1"\n' });
    const run = check([`${BETA} (0.5)`], ['--database', custom]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `gemleak: ${path.join(custom, 'gemleak.yml')}: this advisory database needs gemleak 99.1.0 or later, and this is gemleak ${readVersion()}: upgrade gemleak (npm install -g gemleak@latest)\n`,
    );
  });
});

describe('check --update and --update-optional', () => {
  it('--update syncs, prints its summary on stderr (stdout stays the report), then checks with the new copy', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const run = check([`${ALPHA} (1.5)`], ['--update', '--format', 'json'], { GEMLEAK_DB_URL: remote.url });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^Updated ${remote.url}: 1 advisory, last change`));
    expect(JSON.parse(run.stdout)).toMatchObject({ summary: { findings: 1 } });
  });

  it('--update fails the check (exit 2) when the update fails; the report is not printed', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const missing = `file://${path.join(remote.root, 'gone.git')}`;
    const run = check([`${ALPHA} (1.5)`], ['--update'], { GEMLEAK_DB_URL: missing });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^gemleak: cannot reach ${missing}: `));
  });

  it('--update-optional warns when the update fails and checks with the copy it has', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    const missing = `file://${path.join(remote.root, 'gone.git')}`;
    const run = check([`${ALPHA} (1.5)`], ['--update-optional'], { GEMLEAK_DB_URL: missing });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^gemleak: warning: update failed, checking with the databases gemleak already has \(--update-optional\): cannot reach /);
    expect(run.stdout).toContain(`from ${remote.url}`);
  });

  it('--update with --database is a usage error: they contradict each other', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const run = check([`${ALPHA} (1.5)`], ['--update', '--database', path.join(remote.root, 'db')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--update syncs gemleak's own database copy, but --database names the one database to use instead");
  });
});

describe('check: stale warnings count from the last sync', () => {
  it.each([
    { days: 10, args: [], warns: false, status: 1 },
    { days: 31, args: [], warns: true, status: 1 },
    { days: 10, args: ['--max-age', '7'], warns: true, status: 1 },
    { days: 400, args: ['--max-age', '500'], warns: false, status: 1 },
    { days: 31, args: ['--fail-on-stale'], warns: true, status: 2 },
    { days: 2, args: ['--fail-on-stale'], warns: false, status: 1 },
  ])('synced $days days ago with $args: warns $warns, exit $status', ({ days, args, warns, status }) => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    runCli(['update', '--url', remote.url], { env: env() });
    ageCopy(days);
    const run = check([`${ALPHA} (1.5)`], args);
    expect(run.status).toBe(status);
    if (!warns) expect(run.stderr).toBe('');
    else expect(run.stderr).toMatch(new RegExp(`the advisory database was last synced ${days} days ago \\(\\d{4}-\\d{2}-\\d{2}\\), more than --max-age \\d+: run gemleak update`));
  });

  it('never synced: no warning, but --fail-on-stale is exit 2 (nothing vouches for freshness)', () => {
    remote = makeRemote();
    expect(check(['rack (2.2.8)']).stderr).toBe('');
    const strict = check(['rack (2.2.8)'], ['--fail-on-stale']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/^gemleak: no synced advisory database, so its age is unknown \(--fail-on-stale\): run gemleak update/);
  });

  it('--max-age takes a whole number', () => {
    remote = makeRemote();
    const run = check(['rack (2.2.8)'], ['--max-age', 'soon']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--max-age takes a whole number, got 'soon'");
  });
});

function readVersion(): string {
  return (JSON.parse(readFileSync(path.join(bundledDatabase, '..', 'package.json'), 'utf8')) as { version: string }).version;
}
