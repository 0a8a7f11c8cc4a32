import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase } from '../helpers/fixtures.js';
import { INITIAL_DATABASE, type TestRemote, makeRemote } from '../update/remote.js';

// Issue 11: the database manifest `gemleak.yml` is never read through a symbolic link, is a regular
// file of bounded size, and its content never reaches an error message.
const SECRET = 'min_gemleak_version: hunter2-SECRET-TOKEN';
let root: string;

beforeAll(() => {
  root = tempDir('gemleak-hostile-db-');
  writeFileSync(path.join(root, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(root, 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
  for (const [name, target] of Object.entries({ secret: path.join(root, 'secret.txt'), zero: '/dev/zero', stdin: '/dev/stdin' })) {
    writeSmallDatabase(path.join(root, name));
    symlinkSync(target, path.join(root, name, 'gemleak.yml'));
  }
  writeSmallDatabase(path.join(root, 'huge'));
  writeFileSync(path.join(root, 'huge', 'gemleak.yml'), `# ${'x'.repeat(100_000)}\n`);
  writeSmallDatabase(path.join(root, 'folder'));
  mkdirSync(path.join(root, 'folder', 'gemleak.yml'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const check = (database: string, how: 'flag' | 'env') =>
  runCli(how === 'flag' ? ['check', 'Gemfile.lock', '--database', database] : ['check', 'Gemfile.lock'], {
    cwd: root,
    env: how === 'env' ? { GEMLEAK_DB: path.join(root, database) } : {},
    input: 'min_gemleak_version: 99.0.0\n',
  });

describe.each(['flag', 'env'] as const)('a database given by %s', (how) => {
  it.each([
    ['secret', /gemleak\.yml: the database manifest is a symbolic link; links are never followed/],
    ['zero', /gemleak\.yml: the database manifest is a symbolic link/],
    ['stdin', /gemleak\.yml: the database manifest is a symbolic link/],
    ['huge', /gemleak\.yml: the database manifest is 100003 bytes; a manifest is at most 65536/],
    ['folder', /gemleak\.yml: the database manifest is not a regular file/],
  ])('manifest %s: refused at once, exit 2, one line, nothing of its content', (name, message) => {
    const started = Date.now();
    const run = check(name, how);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/hunter2|SECRET|99\.0\.0/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('a synced remote whose gemleak.yml is a symbolic link', () => {
  let remote: TestRemote;
  beforeAll(() => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.commit(INITIAL_DATABASE, 'initial');
    symlinkSync(path.join(root, 'secret.txt'), path.join(remote.work, 'gemleak.yml'));
    remote.commit({}, 'manifest is a link to a secret');
  });
  afterAll(() => remote.cleanup());

  it('refuses the update without printing the target, and blocks on nothing', () => {
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: remote.home } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refusing the update from .*: gemleak\.yml: the database manifest is a symbolic link/);
    expect(run.stderr).not.toMatch(/hunter2|SECRET/);
  });

  it('a link to /dev/stdin does not make update wait for input', () => {
    rmSync(path.join(remote.work, 'gemleak.yml'));
    symlinkSync('/dev/stdin', path.join(remote.work, 'gemleak.yml'));
    remote.commit({}, 'manifest is a link to stdin');
    const started = Date.now();
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: remote.home } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/gemleak\.yml: the database manifest is a symbolic link/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
