import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, gemleakBin, runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeTree } from '../helpers/fixtures.js';
import { ALPHA, BETA, INITIAL_DATABASE, type TestRemote, advisory, makeRemote, readState, syncedFolders, syncedIndexes } from './remote.js';

let remote: TestRemote;
afterEach(() => remote?.cleanup());

const env = () => ({ GEMLEAK_HOME: remote.home });
const update = (...args: string[]) => runCli(['update', ...args], { cwd: remote.root, env: env() });

/** An app folder whose Gemfile.lock locks the given specs, checked with the synced database. */
function checkApp(specs: string[], ...args: string[]) {
  const app = path.join(remote.root, `app-${specs.join('-').replace(/[^a-z0-9-]/gi, '')}`);
  writeTree(app, { 'Gemfile.lock': lockfileWith(specs) });
  return runCli(['check', app, '--verbose', ...args], { cwd: remote.root, env: env() });
}

describe('gemleak update: first clone and later updates', () => {
  it('clones on first run, says what it synced, and check uses the copy', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const commit = remote.git(['rev-parse', 'HEAD']).trim();
    const run = update('--url', remote.url);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Updated ${remote.url}: 1 advisory, last change \\d{4}-\\d{2}-\\d{2} \\(${commit.slice(0, 7)}\\)\\n$`));
    const state = readState(remote.home);
    expect(state).toMatchObject({ format: 1, url: remote.url, branch: 'trunk', commit, advisories: 1, problems: 0 });
    expect(syncedFolders(remote.home)).toEqual([path.basename(state.path as string)]);
    expect(syncedIndexes(remote.home)).toEqual([`${path.basename(state.path as string)}.index.json`]);
    const check = checkApp([`${ALPHA} (1.5)`]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${ALPHA} 1.5`);
    expect(check.stdout).toMatch(new RegExp(`Database: synced, 1 advisory, last change \\S+ \\(${commit.slice(0, 7)}\\), synced \\S+, from ${remote.url}`));
  });

  it('remembers the source: a later update without --url fetches the new advisory, and check finds it', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    expect(update('--url', remote.url).status).toBe(0);
    expect(checkApp([`${BETA} (0.1)`]).status).toBe(0);
    const commit = remote.commit({ [`gems/${BETA}/7.yml`]: advisory(BETA, ['< 1.0']) }, 'add beta');
    const run = update();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Updated ${remote.url}: 2 advisories`);
    expect(readState(remote.home)).toMatchObject({ commit, advisories: 2 });
    remote.commit({ [`gems/${BETA}/8.yml`]: advisory(BETA, ['< 0.5']) }, 'add another');
    expect(update().status).toBe(0);
    // The copy in use and the one before it (a check may still be reading it); older ones are removed.
    expect(syncedFolders(remote.home)).toHaveLength(2);
    expect(syncedIndexes(remote.home)).toHaveLength(2);
    const check = checkApp([`${BETA} (0.1)`]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`  ${BETA}-7  `);
  });

  it('says when nothing changed, and only moves the sync time', async () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const before = readState(remote.home);
    const [index = ''] = syncedIndexes(remote.home);
    rmSync(path.join(remote.home, 'synced', index));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const run = update();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Already up to date: ${remote.url}: 1 advisory, last change`));
    const after = readState(remote.home);
    expect(after.path).toBe(before.path);
    expect(Date.parse(after.syncedAt as string)).toBeGreaterThan(Date.parse(before.syncedAt as string));
    expect(syncedIndexes(remote.home)).toEqual([index]);
  });

  // util-linux `script` gives the CLI a terminal for stderr, where git's progress is shown.
  const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(`shows git's progress on a terminal, on one line that is cleared ${hasScript ? '' : '(skipped: util-linux script is absent)'}`, () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const command = `'${process.execPath}' '${gemleakBin}' update --url '${remote.url}'`;
    const output = execFileSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      env: cliEnv({ HOME: remote.root, GEMLEAK_HOME: remote.home }),
    });
    expect(output).toMatch(/\r\x1b\[Kgit clone: (remote|receiving) \d+% \(\d+\/\d+\)/);
    expect(output).toContain(`\r\x1b[KUpdated ${remote.url}: 1 advisory`);
  });

  it('warns when GEMLEAK_DB is set, since check will use that database instead of this copy', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { ...env(), GEMLEAK_DB: '/srv/leak-db' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('gemleak: warning: GEMLEAK_DB is set (/srv/leak-db), so gemleak check uses that database and not this synced copy\n');
  });

  it('--quiet prints nothing on success', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const run = update('--url', remote.url, '--quiet');
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });

  it('follows a force-pushed rewrite of the branch', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const rewritten = remote.rewrite({ [`gems/${BETA}/1.yml`]: advisory(BETA, ['< 1.0']) }, 'history rewritten');
    const run = update();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`(${rewritten.slice(0, 7)})`);
    expect(readState(remote.home)).toMatchObject({ commit: rewritten, advisories: 1 });
    expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(0);
    expect(checkApp([`${BETA} (0.5)`]).status).toBe(1);
  });

  it('moves to the right state whatever was changed by hand in the copy', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const copy = path.resolve(remote.home, readState(remote.home).path as string);
    writeFileSync(path.join(copy, 'gems', ALPHA, '1.yml'), 'edited: by hand\n');
    writeTree(copy, { [`gems/${BETA}/9.yml`]: advisory(BETA, ['< 1.0']) });
    const run = update();
    expect(run.status).toBe(0);
    const fresh = path.resolve(remote.home, readState(remote.home).path as string);
    expect(readFileSync(path.join(fresh, 'gems', ALPHA, '1.yml'), 'utf8')).toContain(`gem: ${ALPHA}`);
    expect(existsSync(path.join(fresh, 'gems', BETA))).toBe(false);
    expect(checkApp([`${BETA} (0.5)`]).status).toBe(0);
  });

  it('reports an advisory broken upstream, keeps the rest usable, and check warns only for its gem', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    remote.commit({ [`gems/${BETA}/2.yml`]: `---\ngem: ${BETA}\nurl: https://example.com\ntitle: [unclosed\n` }, 'broken advisory');
    const run = update();
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`gemleak: warning: \\S+/gems/${BETA}/2\\.yml:\\d+: broken advisory skipped: `));
    expect(run.stdout).toContain('2 advisories, 1 broken (skipped)');
    const alpha = checkApp([`${ALPHA} (1.5)`]);
    expect(alpha.status).toBe(1);
    expect(alpha.stderr).toBe('');
    const beta = checkApp([`${BETA} (0.5)`]);
    expect(beta.status).toBe(0);
    expect(beta.stderr).toMatch(new RegExp(`gems/${BETA}/2\\.yml:\\d+: advisory skipped`));
  });

  it('follows a default branch that is neither main nor master, and a change of default branch', () => {
    remote = makeRemote({ branch: 'develop-2024', files: INITIAL_DATABASE });
    expect(update('--url', remote.url).status).toBe(0);
    expect(readState(remote.home).branch).toBe('develop-2024');
    remote.git(['checkout', '-q', '-b', 'stable']);
    writeTree(remote.work, { [`gems/${BETA}/3.yml`]: advisory(BETA, ['< 1.0']) });
    remote.git(['add', '-A']);
    remote.git(['commit', '-q', '-m', 'stable branch']);
    remote.git(['push', '-q', 'origin', 'stable']);
    remote.git(['symbolic-ref', 'HEAD', 'refs/heads/stable'], remote.bare);
    const run = update();
    expect(run.status).toBe(0);
    expect(readState(remote.home)).toMatchObject({ branch: 'stable', advisories: 2 });
  });

  it('--branch follows the named branch', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.git(['checkout', '-q', '-b', 'next']);
    writeTree(remote.work, { [`gems/${BETA}/3.yml`]: advisory(BETA, ['< 1.0']) });
    remote.git(['add', '-A']);
    remote.git(['commit', '-q', '-m', 'next']);
    remote.git(['push', '-q', 'origin', 'next']);
    const run = update('--url', remote.url, '--branch', 'next');
    expect(run.status).toBe(0);
    expect(readState(remote.home)).toMatchObject({ branch: 'next', advisories: 2 });
    const missing = update('--branch', 'no-such-branch');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`gemleak: cannot update from ${remote.url}: it has no branch 'no-such-branch'\n`);
  });

  it('--url switches the source and GEMLEAK_DB_URL works like --url; a local path is a source too', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const other = makeRemote({ files: { [`gems/${BETA}/5.yml`]: advisory(BETA, ['< 1.0']) } });
    try {
      const viaEnv = runCli(['update'], { cwd: remote.root, env: { ...env(), GEMLEAK_DB_URL: other.url } });
      expect(viaEnv.status).toBe(0);
      expect(readState(remote.home).url).toBe(other.url);
      expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(0);
      const viaPath = runCli(['update', '--url', path.relative(remote.root, remote.bare)], { cwd: remote.root, env: env() });
      expect(viaPath.status).toBe(0);
      expect(readState(remote.home).url).toBe(remote.bare);
      expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(1);
    } finally {
      other.cleanup();
    }
  });
});

describe('gemleak update: failures leave the previous copy in use', () => {
  it('an unreachable URL: exit 2 with the reason in one line, the old copy still used by check', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const before = readFileSync(path.join(remote.home, 'synced.json'), 'utf8');
    const missing = `file://${path.join(remote.root, 'no-such.git')}`;
    const run = update('--url', missing);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^gemleak: cannot reach ${missing}: .*does not appear to be a git repository\\n$`));
    expect(readFileSync(path.join(remote.home, 'synced.json'), 'utf8')).toBe(before);
    const check = checkApp([`${ALPHA} (1.5)`]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`from ${remote.url}`);
  });

  it('refuses URLs git would read as options or that run commands, before running git', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const pwned = path.join(remote.root, 'pwned');
    const cases: [string, RegExp][] = [
      [`-oProxyCommand=touch ${pwned}`, /starts with "-", so git would read it as an option/],
      [`--upload-pack=touch ${pwned}`, /starts with "-"/],
      [`ext::sh -c touch% ${pwned}`, /"<transport>::" URLs \(such as ext::\) make git run programs/],
      ['fd::3', /"<transport>::" URLs/],
      [`ssh://-oProxyCommand=touch ${pwned}/repo`, /host or user starts with "-"/],
      ['ftp://example.com/db.git', /the 'ftp' scheme is not supported/],
    ];
    for (const [url, reason] of cases) {
      const run = update('--url', url);
      expect(run.status, url).toBe(2);
      expect(run.stderr, url).toMatch(/^gemleak: refusing database URL '.*': .*\n$/);
      expect(run.stderr, url).toMatch(reason);
    }
    expect(runCli(['update', `--url=-oProxyCommand=touch ${pwned}`], { cwd: remote.root, env: env() }).status).toBe(2);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(path.join(remote.home, 'synced.json'))).toBe(false);
  });

  it('hides credentials of a URL in messages', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const run = update('--url', 'https://deploy:s3cr3t-t0ken@127.0.0.1:9/acme/leaks.git');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('https://deploy:***@127.0.0.1:9/acme/leaks.git');
    expect(run.stderr).not.toContain('s3cr3t');
  });

  it.each([
    ['a repository with no gems/ folder', { 'README.md': 'not a database\n' }, /refusing the update from \S+: it is not an advisory database \(no gems\/ folder\); the copy synced \S+ stays in use/],
    ['a repository whose advisories are all broken', { [`gems/${BETA}/1.yml`]: 'gem: [\n' }, /none of its 1 advisories can be read \(gems\/gl-sync-beta\/1\.yml:\d+: /],
    ['a manifest asking for a newer gemleak', { ...INITIAL_DATABASE, 'gemleak.yml': 'min_gemleak_version: 99.0.0\n' }, /needs gemleak 99\.0\.0 or later, and this is gemleak \S+: upgrade gemleak/],
    ['a broken manifest', { ...INITIAL_DATABASE, 'gemleak.yml': 'min_gemleak_version: soon\n' }, /gemleak\.yml:1: 'min_gemleak_version' must be a version/],
  ] as [string, Record<string, string>, RegExp][])('refuses %s and keeps the previous copy', (_name, files, reason) => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const before = readState(remote.home);
    remote.rewrite(files, 'bad data');
    const run = update();
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(reason);
    expect(readState(remote.home)).toEqual(before);
    expect(syncedFolders(remote.home)).toEqual([path.basename(before.path as string)]);
    expect(checkApp([`${ALPHA} (1.5)`]).status).toBe(1);
  });

  it('refuses a first sync from a repository that is empty or has no advisories', () => {
    remote = makeRemote();
    const empty = update('--url', remote.url);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe(`gemleak: cannot update from ${remote.url}: the repository is empty (no commits)\n`);
    remote.commit({ 'gems/.keep': '' }, 'empty gems folder');
    const none = update('--url', remote.url);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/it holds no advisories/);
    expect(existsSync(path.join(remote.home, 'synced.json'))).toBe(false);
    expect(syncedFolders(remote.home)).toEqual([]);
  });

  it('refuses a database whose gems/ folder is a symbolic link (never followed out of the database)', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    update('--url', remote.url);
    const outside = tempDir('gemleak-outside-');
    writeTree(outside, { [`${BETA}/1.yml`]: advisory(BETA, ['< 1.0']) });
    remote.git(['rm', '-rq', 'gems']);
    symlinkSync(outside, path.join(remote.work, 'gems'));
    remote.commit({}, 'gems is a symlink');
    const run = update();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/its gems\/ folder is a symbolic link/);
    expect(checkApp([`${BETA} (0.5)`]).status).toBe(0);
  });

  it('an unwritable data home is exit 2 naming the folder', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const file = path.join(remote.root, 'a-file');
    writeFileSync(file, '');
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: path.join(file, 'home') } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: \S+a-file\/home: cannot create gemleak's data folder \(ENOTDIR\); set GEMLEAK_HOME to a writable folder\n$/);
  });

  it('a data home under XDG_DATA_HOME when GEMLEAK_HOME is not set', () => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    const xdg = path.join(remote.root, 'xdg');
    mkdirSync(xdg);
    const run = runCli(['update', '--url', remote.url, '--quiet'], { cwd: remote.root, env: { GEMLEAK_HOME: '', XDG_DATA_HOME: xdg } });
    expect(run.status).toBe(0);
    expect(existsSync(path.join(xdg, 'gemleak', 'synced.json'))).toBe(true);
  });
});
