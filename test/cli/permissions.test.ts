import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliUnprivileged, unprivileged } from '../helpers/cli.js';
import { tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';
import { baseEnv, git } from '../hook/repo.js';

/**
 * What a user meets when a file or folder is not theirs to read or write: one line naming it, exit
 * 2, never a stack trace. Run for real as an unprivileged user (as root every access succeeds).
 */

let root: string;
const asNobody = unprivileged.prefix !== null && unprivileged.prefix.length > 0;

/** Everything below root readable by others, as a user's checkout would be; `locked` then taken away. */
function setUp(): void {
  root = tempDir('gemleak-permissions-');
  writeTree(root, { 'conf/.gemleak.toml': '[check]\nformat = "json"\n', 'home/.keep': '' });
  copyFileSync(path.join(repoRoot, 'examples', 'Gemfile.lock'), path.join(root, 'Gemfile.lock'));
  writeSmallDatabase(path.join(root, 'db'));
  mkdirSync(path.join(root, 'readonly'));
  git(root, ['-c', 'init.defaultBranch=main', 'init', '-q', 'repo'], baseEnv());
  if (asNobody) chownRecursive(path.join(root, 'repo'), 65534, 65534);
  chmodRecursive(root);
  chmodSync(path.join(root, 'conf/.gemleak.toml'), 0o000);
  chmodSync(path.join(root, 'db/gems/redis/612.yml'), 0o000);
  chmodSync(path.join(root, 'readonly'), 0o555);
  chmodSync(path.join(root, 'home'), 0o555);
  chmodSync(path.join(root, 'repo/.git/hooks'), 0o555);
}

function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirEntries(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodRecursive(full);
    else chmodSync(full, 0o644);
  }
}

function chownRecursive(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirEntries(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

function readdirEntries(dir: string) {
  return readdirSync(dir, { withFileTypes: true });
}

describe.skipIf(unprivileged.prefix === null)(`permission denied, as an unprivileged user ${unprivileged.skip ?? (asNobody ? '(as nobody, through setpriv)' : '')}`, () => {
  beforeAll(setUp);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const run = (args: string[], env: Record<string, string> = {}) => runCliUnprivileged(args, { cwd: root, env: { GEMLEAK_HOME: path.join(root, 'home', 'gemleak'), ...env } });

  it('an unreadable lockfile: exit 2, naming it', () => {
    chmodSync(path.join(root, 'Gemfile.lock'), 0o000);
    try {
      const result = run(['check', 'Gemfile.lock', '--no-config', '--database', 'db']);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/Gemfile\.lock: permission denied; expected a readable Gemfile\.lock or gems\.locked\n$/);
      expect(result.stdout).toBe('');
    } finally {
      chmodSync(path.join(root, 'Gemfile.lock'), 0o644);
    }
  });

  it('an unreadable config file: exit 2, naming it', () => {
    const result = run(['check', 'Gemfile.lock', '--config', 'conf/.gemleak.toml', '--database', 'db']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('gemleak: conf/.gemleak.toml: cannot read the config file (EACCES)\n');
  });

  it('an unreadable advisory: skipped with a warning naming it; --strict makes it fatal', () => {
    const lenient = run(['check', 'Gemfile.lock', '--no-config', '--database', 'db', '--format', 'json']);
    expect(lenient.stderr).toContain('db/gems/redis/612.yml: advisory skipped: cannot be read (EACCES)');
    expect(lenient.status).toBe(0);
    const strict = run(['check', 'Gemfile.lock', '--no-config', '--database', 'db', '--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain('612.yml');
  });

  it('a report into a folder it may not write: exit 2, naming the file', () => {
    const result = run(['check', 'Gemfile.lock', '--no-config', '--output', 'readonly/report.txt']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('gemleak: readonly/report.txt: cannot write the report (EACCES)\n');
  });

  it('update with a data folder it may not create: exit 2, saying how to fix it', () => {
    const result = run(['update', '--url', path.join(root, 'no-such-remote'), '--no-config']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${path.join(root, 'home', 'gemleak')}: cannot create gemleak's data folder (EACCES); set GEMLEAK_HOME to a writable folder`);
  });

  it('hook install into a hooks folder it may not write: exit 2, no stack trace', () => {
    const result = runCliUnprivileged(['hook', 'install'], { cwd: path.join(root, 'repo') });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`gemleak: ${path.join(root, 'repo', '.git', 'hooks', 'pre-commit')}: cannot write (EACCES)\n`);
  });
});
