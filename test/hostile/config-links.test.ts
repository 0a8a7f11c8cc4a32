import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase } from '../helpers/fixtures.js';

// Issue 11: a `.gemleak.toml` symlink leaving the repository is refused; values of unknown keys
// (and of a file outside the repository) never reach a message.
let root: string;
let repo: string;
const SECRET_FILE = '[default]\naws_secret_access_key = "AKIA-hunter2-SECRET"\nformat = "hunter2-SECRET-FORMAT"\n';

beforeAll(() => {
  root = tempDir('gemleak-hostile-config-');
  repo = path.join(root, 'repo');
  mkdirSync(path.join(repo, 'app'), { recursive: true });
  execFileSync('git', ['init', '-q', repo]);
  writeSmallDatabase(path.join(root, 'db'));
  writeFileSync(path.join(repo, 'app', 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
  writeFileSync(path.join(root, 'secret.toml'), SECRET_FILE);
  writeFileSync(path.join(root, 'outside.toml'), '[[ignore]]\nid = "redis-612"\nreason = "from outside, on purpose"\n');
  mkdirSync(path.join(repo, 'shared'));
  writeFileSync(path.join(repo, 'shared', 'gemleak.toml'), '[[ignore]]\nid = "redis-612"\nreason = "shared inside"\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const check = (args: string[], cwd: string) => runCli(['check', ...args], { cwd, env: { GEMLEAK_DB: path.join(root, 'db') } });
const link = (target: string, at: string) => {
  rmSync(at, { force: true });
  symlinkSync(target, at);
};

describe('.gemleak.toml as a symbolic link', () => {
  it('to a file outside the repository: refused, exit 2, nothing of it printed', () => {
    link(path.join(root, 'secret.toml'), path.join(repo, '.gemleak.toml'));
    for (const cwd of [repo, path.join(repo, 'app')]) {
      const run = check(['app/Gemfile.lock'.slice(cwd === repo ? 0 : 4)], cwd);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/\.gemleak\.toml: is a symbolic link to a file outside the repository; gemleak does not follow it/);
      expect(run.stderr).not.toMatch(/hunter2|SECRET|AKIA/);
    }
  });

  it('a relative link climbing out (../secret.toml) is refused too', () => {
    link('../secret.toml', path.join(repo, '.gemleak.toml'));
    expect(check(['app/Gemfile.lock'], repo).status).toBe(2);
  });

  it('to a file inside the repository: followed', () => {
    link('shared/gemleak.toml', path.join(repo, '.gemleak.toml'));
    const run = check(['app/Gemfile.lock'], repo);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('shared inside');
  });

  it('--config names a file outside on purpose: read', () => {
    const run = check(['app/Gemfile.lock', '--config', path.join(root, 'outside.toml')], repo);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('from outside, on purpose');
  });

  it('--config on a FIFO: refused at once', () => {
    execFileSync('mkfifo', [path.join(root, 'fifo.toml')]);
    const run = check(['app/Gemfile.lock', '--config', path.join(root, 'fifo.toml')], repo);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/fifo\.toml: is not a regular file/);
  });
});

describe('unknown keys: the name, never the value', () => {
  it.each([
    ['aws_secret_access_key = "AKIA-hunter2-SECRET"\n', /unknown key "aws_secret_access_key" at the top level/],
    [`${'k'.repeat(200)} = "hunter2-SECRET"\n`, /unknown key "k{57}\.\.\." at the top level/],
    ['[[ignore]]\nid = "redis-612"\nreason = "x"\ntoken = "hunter2-SECRET"\n', /unknown key "token" in an \[\[ignore\]\]|unknown key "token"/],
  ])('%#', (text, message) => {
    rmSync(path.join(repo, '.gemleak.toml'), { force: true });
    writeFileSync(path.join(repo, '.gemleak.toml'), text);
    const run = check(['app/Gemfile.lock'], repo);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/hunter2|SECRET/);
  });
});
