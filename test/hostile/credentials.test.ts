import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../../src/advisories/source-url.js';
import { runCli } from '../helpers/cli.js';
import { INITIAL_DATABASE, type TestRemote, makeRemote } from '../update/remote.js';

// Issue 11: credentials are redacted in every URL form, and what stores them is private.
describe('redactUrl: every credential form', () => {
  it.each([
    ['https://user:SEC@RET@example.com/db.git', 'https://user:***@example.com/db.git'],
    ['https://SEC@RET@example.com/db.git', 'https://***@example.com/db.git'],
    ['https://example.com/db.git?access_token=SECRET', 'https://example.com/db.git?access_token=***'],
    ['https://example.com/db.git?a=1&private_token=SECRET&x', 'https://example.com/db.git?a=***&private_token=***&x'],
    ['https://example.com/db.git#SECRET', 'https://example.com/db.git#***'],
    ['https://u:p%40ss@example.com:8443/db.git?sig=SECRET#frag', 'https://u:***@example.com:8443/db.git?sig=***#***'],
    ['HTTP://TOKEN@example.com/', 'HTTP://***@example.com/'],
    ['ssh://git@github.com/acme/db.git', 'ssh://git@github.com/acme/db.git'],
    ['ssh://git:SECRET@github.com/acme/db.git', 'ssh://git:***@github.com/acme/db.git'],
    ['git@github.com:acme/db.git', 'git@github.com:acme/db.git'],
    ['/srv/db', '/srv/db'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toMatch(/SEC|RET|p%40ss/);
  });

  it('inside a git message', () => {
    expect(redactUrlsIn("unable to access 'https://user:SEC@RET@example.com/db.git?access_token=SECRET/': Could not resolve host")).toBe(
      "unable to access 'https://user:***@example.com/db.git?access_token=***': Could not resolve host",
    );
  });
});

describe('gemleak update never prints a credential', () => {
  it.each([
    'https://user:SEC@RET@127.0.0.1:9/db.git',
    'https://127.0.0.1:9/db.git?access_token=TOPSECRET',
    `https://user:${'x'.repeat(150)}TOPSECRET@127.0.0.1:9/db.git`,
    'ftp://user:SEC@RET@example.com/db.git?access_token=TOPSECRET',
  ])('%s', (url) => {
    const run = runCli(['update', '--url', url], { env: { GEMLEAK_HOME: path.join(process.env.TMPDIR ?? '/tmp', `gemleak-cred-${process.pid}`) } });
    expect(run.status).toBe(2);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/SEC@RET|TOPSECRET|RET@127/);
    expect(run.stderr).toMatch(/\*\*\*/);
  });
});

describe('what holds the source URL is private', () => {
  let remote: TestRemote;
  beforeAll(() => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.commit(INITIAL_DATABASE, 'initial');
  });
  afterAll(() => remote.cleanup());

  const mode = (file: string) => statSync(file).mode & 0o777;

  it('synced.json 0600, the synced folder 0700, the copy .git/config 0600, also after an "already up to date" update', () => {
    for (const round of [1, 2]) {
      const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: remote.home } });
      expect(run.status, `round ${round}: ${run.stderr}`).toBe(0);
      const state = JSON.parse(readFileSync(path.join(remote.home, 'synced.json'), 'utf8')) as { path: string };
      expect(mode(path.join(remote.home, 'synced.json'))).toBe(0o600);
      expect(mode(path.join(remote.home, 'synced'))).toBe(0o700);
      expect(mode(remote.home)).toBe(0o700);
      expect(mode(path.join(remote.home, state.path, '.git', 'config'))).toBe(0o600);
    }
  });
});
