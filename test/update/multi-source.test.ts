import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, writeTree } from '../helpers/fixtures.js';
import { bundledDatabase } from '../helpers/paths.js';
import { ALPHA, BETA, type TestRemote, advisory, bundledCount, makeRemote } from './remote.js';

/**
 * Several git sources: the default one (GEMLEAK_DB_URL here, the public database in real use) and
 * the `[[database]] url` entries of `.gemleak.toml`, synced side by side by one `gemleak update`
 * and merged by `check`. Real git: bare repositories in temp folders reached by file:// URLs.
 */
const DEFAULT_GEM = 'gl-sync-default';
/** In both the public-like and the private source: reported once, naming both. */
const SHARED = 'gl-sync-shared';

let remotes: TestRemote[] = [];
afterEach(() => {
  for (const remote of remotes) remote.cleanup();
  remotes = [];
});

interface Setup {
  /** The default source (GEMLEAK_DB_URL). */
  base: TestRemote;
  /** `[[database]] name = "public"`. */
  pub: TestRemote;
  /** `[[database]] name = "acme-private"`. */
  priv: TestRemote;
  home: string;
  app: string;
  env: Record<string, string>;
  run(args: string[], extra?: Record<string, string>): ReturnType<typeof runCli>;
}

function setup(configText?: (urls: { pub: string; priv: string; base: string }) => string): Setup {
  const base = makeRemote({ branch: 'main', files: { [`gems/${DEFAULT_GEM}/1.yml`]: advisory(DEFAULT_GEM, ['< 1.0']) } });
  const pub = makeRemote({
    branch: 'trunk',
    files: { [`gems/${ALPHA}/1.yml`]: advisory(ALPHA, ['< 2.0']), [`gems/${SHARED}/1.yml`]: advisory(SHARED, ['< 3.0'], 'Shared leak (public text)') },
  });
  const priv = makeRemote({
    branch: 'develop',
    files: { [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']), [`gems/${SHARED}/1.yml`]: advisory(SHARED, ['< 3.0'], 'Shared leak (private text)') },
  });
  remotes.push(base, pub, priv);
  const home = path.join(base.root, 'gemleak-home');
  const app = path.join(base.root, 'app');
  const config = configText
    ? configText({ pub: pub.url, priv: priv.url, base: base.url })
    : `max_age = 30\n\n[[database]]\nname = "public"\nurl = "${pub.url}"\n\n[[database]]\nname = "acme-private"\nurl = "${priv.url}"\n`;
  writeTree(app, {
    'Gemfile.lock': lockfileWith([`${ALPHA} (1.5)`, `${BETA} (0.5)`, `${SHARED} (2.0)`, `${DEFAULT_GEM} (0.9)`, 'rack (3.1.0)']),
    '.gemleak.toml': config,
  });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: app });
  const env = { GEMLEAK_HOME: home, GEMLEAK_DB_URL: base.url };
  return { base, pub, priv, home, app, env, run: (args, extra = {}) => runCli(args, { cwd: app, env: { ...env, ...extra } }) };
}

interface JsonReport {
  findings: { gem: string; sources: string[]; advisory: { id: string; title: string } }[];
  database: { advisories: number; sources: { kind: string; name: string | null; url: string | null; path: string; synced_at: string | null }[] };
}

/** Each source's own folder under `<home>/sources/`, with the URL its record names. */
function sourceFolders(home: string): { folder: string; url: string; path: string }[] {
  const dir = path.join(home, 'sources');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((folder) => {
    const state = JSON.parse(readFileSync(path.join(dir, folder, 'synced.json'), 'utf8')) as { url: string; path: string };
    return { folder, url: state.url, path: path.join(dir, folder, state.path) };
  });
}

const summary = (verb: string, url: string, count: number, name?: string) =>
  new RegExp(`^${verb} ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${name ? ` \\(${name}\\)` : ''}: ${count} advisor(y|ies), last change \\d{4}-\\d{2}-\\d{2} \\([0-9a-f]{7}\\)$`);

describe('gemleak update with several git sources', () => {
  it('syncs the default source and every [[database]] url, each into its own copy; check merges them all', () => {
    const s = setup();
    const update = s.run(['update']);
    expect(update.stderr).toBe('');
    expect(update.status).toBe(0);
    const lines = update.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(summary('Updated', s.base.url, 1));
    expect(lines[1]).toMatch(summary('Updated', s.pub.url, 2, 'public'));
    expect(lines[2]).toMatch(summary('Updated', s.priv.url, 2, 'acme-private'));
    // The default source keeps the data home's own layout; the others get a folder each.
    expect(existsSync(path.join(s.home, 'synced.json'))).toBe(true);
    expect(
      sourceFolders(s.home)
        .map((entry) => entry.url)
        .sort(),
    ).toEqual([s.pub.url, s.priv.url].sort());
    for (const entry of sourceFolders(s.home)) {
      expect(entry.folder).toMatch(/^[0-9a-f]{16}$/);
      expect(existsSync(`${entry.path}.index.json`)).toBe(true);
    }

    const check = s.run(['check', '--format', 'json']);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(1);
    const report = JSON.parse(check.stdout) as JsonReport;
    const byGem = new Map(report.findings.map((finding) => [finding.gem, finding]));
    expect([...byGem.keys()].sort()).toEqual([ALPHA, BETA, DEFAULT_GEM, SHARED].sort());
    expect(report.findings.filter((finding) => finding.gem === SHARED)).toHaveLength(1);
    expect(byGem.get(SHARED)?.sources).toEqual(['public', 'acme-private']);
    // Merged in order: a later copy that only words it differently (same ranges) leaves the earlier text.
    expect(byGem.get(SHARED)?.advisory.title).toBe('Shared leak (public text)');
    expect(byGem.get(ALPHA)?.sources).toEqual(['public']);
    expect(byGem.get(BETA)?.sources).toEqual(['acme-private']);
    expect(byGem.get(DEFAULT_GEM)?.sources).toEqual([s.base.url]);
    expect(report.database.sources.map((source) => [source.kind, source.name, source.url])).toEqual([
      ['bundled', null, null],
      ['synced', null, s.base.url],
      ['synced', 'public', s.pub.url],
      ['synced', 'acme-private', s.priv.url],
    ]);
    // gl-sync-shared-1 counts once.
    expect(report.database.advisories).toBe(bundledCount(bundledDatabase) + 4);

    const text = s.run(['check', '--verbose']);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`Database: synced public, 2 advisories`);
    expect(text.stdout).toContain(`Database: synced acme-private, 2 advisories`);

    const again = s.run(['update']);
    expect(again.status).toBe(0);
    expect(
      again.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['Already up to date', 'Already up to date', 'Already up to date']);
  });

  it('check reads the copies from their JSON index: no git, no YAML', () => {
    const s = setup();
    expect(s.run(['update']).status).toBe(0);
    // Break the private copy's YAML behind the index's back: the index is what check reads.
    const priv = sourceFolders(s.home).find((entry) => entry.url === s.priv.url);
    writeFileSync(path.join(priv?.path ?? '', 'gems', BETA, '1.yml'), 'gem: [unclosed\n');
    const check = s.run(['check', '--format', 'json'], { PATH: path.join(s.base.root, 'no-git-here') });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(1);
    expect((JSON.parse(check.stdout) as JsonReport).findings.find((finding) => finding.gem === BETA)?.sources).toEqual(['acme-private']);
  });

  it('a new advisory upstream in the private source reaches check after the next update', () => {
    const s = setup();
    expect(s.run(['update']).status).toBe(0);
    s.priv.commit({ 'gems/rack/9001.yml': advisory('rack', ['< 4']) }, 'our own rack leak');
    const update = s.run(['update']);
    expect(update.status).toBe(0);
    expect(update.stdout).toMatch(/^Already up to date: .*\nAlready up to date: .*\nUpdated .*\(acme-private\): 3 advisories/);
    const report = JSON.parse(s.run(['check', '--format', 'json']).stdout) as JsonReport;
    expect(report.findings.find((finding) => finding.gem === 'rack')).toMatchObject({ sources: ['acme-private'], advisory: { id: '9001' } });
  });

  it('one source unreachable: exit 2 with its reason, the others still updated, check uses its old copy', () => {
    const s = setup();
    expect(s.run(['update']).status).toBe(0);
    s.pub.commit({ [`gems/${ALPHA}/2.yml`]: advisory(ALPHA, ['< 1.6']) }, 'another alpha leak');
    renameSync(s.priv.bare, `${s.priv.bare}.gone`);
    const update = s.run(['update']);
    expect(update.status).toBe(2);
    expect(update.stdout.split('\n')[0]).toMatch(summary('Already up to date:', s.base.url, 1));
    expect(update.stdout.split('\n')[1]).toMatch(summary('Updated', s.pub.url, 3, 'public'));
    expect(update.stdout.split('\n')).toHaveLength(3);
    const errors = update.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^gemleak: cannot reach ${s.priv.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));

    const check = s.run(['check', '--format', 'json']);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(1);
    const report = JSON.parse(check.stdout) as JsonReport;
    expect(report.findings.find((finding) => finding.gem === BETA)?.sources).toEqual(['acme-private']);
    expect(
      report.findings
        .filter((finding) => finding.gem === ALPHA)
        .map((finding) => finding.advisory.id)
        .sort(),
    ).toEqual(['1', '2']);

    // Two sources down: a line each, still exit 2, and the remaining one still syncs.
    renameSync(s.base.bare, `${s.base.bare}.gone`);
    const both = s.run(['update']);
    expect(both.status).toBe(2);
    expect(both.stdout.trimEnd()).toMatch(summary('Already up to date:', s.pub.url, 3, 'public'));
    const reasons = both.stderr.trimEnd().split('\n');
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toContain(`gemleak: cannot reach ${s.base.url}: `);
    expect(reasons[1]).toContain(`gemleak: cannot reach ${s.priv.url}: `);
  });

  it('check --update syncs the configured sources too; --update-optional warns per failed source', () => {
    const s = setup();
    const run = s.run(['check', '--update', '--format', 'json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Updated ${s.base.url}: 1 advisory`);
    expect(run.stderr).toContain(`Updated ${s.priv.url} (acme-private): 2 advisories`);
    expect((JSON.parse(run.stdout) as JsonReport).findings.map((finding) => finding.gem)).toContain(BETA);

    renameSync(s.priv.bare, `${s.priv.bare}.gone`);
    const strict = s.run(['check', '--update']);
    expect(strict.status).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toContain(`gemleak: cannot reach ${s.priv.url}: `);
    const optional = s.run(['check', '--update-optional', '--format', 'json']);
    expect(optional.status).toBe(1);
    expect(optional.stderr).toContain(`gemleak: warning: update failed, checking with the databases gemleak already has (--update-optional): cannot reach ${s.priv.url}: `);
    expect((JSON.parse(optional.stdout) as JsonReport).findings.map((finding) => finding.gem)).toContain(BETA);
  });

  it('a [[database]] url not synced yet: a warning naming the command (an error with --fail-on-stale); --no-config and --url sync one source', () => {
    const s = setup();
    const only = s.run(['update', '--no-config']);
    expect(only.status).toBe(0);
    expect(only.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(sourceFolders(s.home)).toEqual([]);
    const check = s.run(['check']);
    expect(check.status).toBe(1);
    const warning = (line: number, url: string) =>
      `.gemleak.toml:${line}: [[database]] url ${url} has no synced copy yet, so its advisories were not checked: run gemleak update (it syncs every [[database]] url of .gemleak.toml)`;
    expect(check.stderr).toBe(`gemleak: warning: ${warning(3, s.pub.url)}\ngemleak: warning: ${warning(7, s.priv.url)}\n`);
    const strict = s.run(['check', '--fail-on-stale']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toBe(`gemleak: ${warning(3, s.pub.url)} (--fail-on-stale)\n`);

    const explicit = s.run(['update', '--url', s.priv.url]);
    expect(explicit.status).toBe(0);
    expect(explicit.stdout.trimEnd()).toMatch(summary('Updated', s.priv.url, 2));
    expect(sourceFolders(s.home)).toEqual([]);
  });

  it('a [[database]] url that is the default source is synced once, and its name labels the default copy', () => {
    const s = setup(({ base, priv }) => `[[database]]\nname = "public"\nurl = "${base}/"\n\n[[database]]\nname = "acme-private"\nurl = "${priv}"\n\n[[database]]\nurl = "${priv}"\n`);
    const update = s.run(['update']);
    expect(update.status).toBe(0);
    expect(update.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(sourceFolders(s.home).map((entry) => entry.url)).toEqual([s.priv.url]);
    const report = JSON.parse(s.run(['check', '--format', 'json']).stdout) as JsonReport;
    expect(report.database.sources.map((source) => [source.kind, source.name])).toEqual([
      ['bundled', null],
      ['synced', 'public'],
      ['synced', 'acme-private'],
    ]);
    expect(report.findings.find((finding) => finding.gem === DEFAULT_GEM)?.sources).toEqual(['public']);
  });

  it('each synced source is judged for staleness on its own', () => {
    const s = setup();
    expect(s.run(['update']).status).toBe(0);
    const priv = sourceFolders(s.home).find((entry) => entry.url === s.priv.url);
    const record = path.join(s.home, 'sources', priv?.folder ?? '', 'synced.json');
    const state = JSON.parse(readFileSync(record, 'utf8')) as Record<string, unknown>;
    state.syncedAt = new Date(Date.now() - 40 * 86_400_000).toISOString();
    writeFileSync(record, JSON.stringify(state));
    const check = s.run(['check']);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(
      /^gemleak: warning: the advisory database acme-private was last synced 40 days ago \(\d{4}-\d{2}-\d{2}\), more than --max-age 30: run gemleak update, or check with --update\n$/,
    );
    expect(s.run(['check', '--fail-on-stale']).status).toBe(2);
  });
});

describe('gemleak db status with several sources', () => {
  it('lists the default copy, each configured source with its config line, and what check uses', () => {
    const s = setup();
    expect(s.run(['update']).status).toBe(0);
    const text = s.run(['db', 'status']);
    expect(text.status).toBe(0);
    const pub = sourceFolders(s.home).find((entry) => entry.url === s.pub.url);
    const priv = sourceFolders(s.home).find((entry) => entry.url === s.priv.url);
    expect(text.stdout).toContain('Config: .gemleak.toml\n');
    expect(text.stdout).toMatch(
      new RegExp(
        [
          'synced public: 2 advisories',
          '  config       \\.gemleak\\.toml:3',
          `  path         ${pub?.path}`,
          `  source       ${s.pub.url} \\(branch trunk\\)`,
          '  last commit  \\d{4}-\\d{2}-\\d{2} \\([0-9a-f]{7}\\)',
          '  last sync    \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC \\(today\\)',
        ].join('\n'),
      ),
    );
    expect(text.stdout).toContain(`synced acme-private: 2 advisories\n  config       .gemleak.toml:7\n  path         ${priv?.path}\n  source       ${s.priv.url} (branch develop)\n`);
    expect(text.stdout).toContain(`gemleak check uses: bundled + synced + public + acme-private (${bundledCount(bundledDatabase) + 4} advisories)`);

    const json = JSON.parse(s.run(['db', 'status', '--format', 'json']).stdout) as {
      databases: { kind: string; name: string | null; state: string; in_use: boolean; url: string | null; advisories: number | null }[];
      check_uses: { sources: string[] };
    };
    expect(json.databases.map((entry) => [entry.kind, entry.name, entry.state, entry.in_use, entry.url, entry.advisories])).toEqual([
      ['bundled', null, 'ok', true, null, bundledCount(bundledDatabase)],
      ['synced', null, 'ok', true, s.base.url, 1],
      ['synced', 'public', 'ok', true, s.pub.url, 2],
      ['synced', 'acme-private', 'ok', true, s.priv.url, 2],
      ['custom', null, 'none', false, null, null],
    ]);
    expect(json.check_uses.sources).toEqual(['bundled', 'synced', 'public', 'acme-private']);

    // A copy no config names any more is shown, as not used.
    const orphan = s.run(['db', 'status', '--no-config']);
    expect(orphan.stdout).toContain(
      `synced ${s.priv.url}: 2 advisories (not used: no [[database]] url of .gemleak.toml names it; remove ${path.join(s.home, 'sources', priv?.folder ?? '')} if it is no longer wanted)`,
    );
    expect(orphan.stdout).toContain(`gemleak check uses: bundled + synced (${bundledCount(bundledDatabase) + 1} advisories)`);
  });

  it('lists a configured url not synced yet, and [[database]] path folders', () => {
    const s = setup(({ priv }) => `[[database]]\nname = "acme-private"\nurl = "${priv}"\n\n[[database]]\nname = "team"\npath = "team-db"\n`);
    writeTree(s.app, { [`team-db/gems/${BETA}/2.yml`]: advisory(BETA, ['< 0.6']) });
    const text = s.run(['db', 'status']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`synced acme-private: none yet (run gemleak update)\n  config       .gemleak.toml:1\n  source       ${s.priv.url}\n`);
    expect(text.stdout).toContain(`local team: 1 advisory\n  config       .gemleak.toml:5\n  path         ${path.join(s.app, 'team-db')}\n`);
    expect(text.stdout).toContain(`gemleak check uses: bundled + team (${bundledCount(bundledDatabase) + 1} advisories)`);
  });
});
