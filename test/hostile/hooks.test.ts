import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemleakBin } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { LEAKY, baseEnv, writeRedisDatabase } from '../hook/repo.js';

// Issue 11, "Hooks and names".
let root: string;
const git = (args: string[], cwd: string) => {
  const result = spawnSync('git', args, { cwd, env: baseEnv(), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};
const gemleak = (args: string[], cwd: string) => spawnSync(process.execPath, [gemleakBin, ...args], { cwd, env: baseEnv({ GEMLEAK_DB: path.join(root, 'db') }), encoding: 'utf8', input: '' });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(() => {
  root = tempDir('gemleak-hostile-hooks-');
  writeRedisDatabase(path.join(root, 'db'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hooks are bytes', () => {
  it('install keeps a non-UTF-8 byte; uninstall restores the hook byte for byte', () => {
    const repo = path.join(root, 'latin1');
    git(['init', '-q', repo], root);
    const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
    // "# café" in Latin-1 (0xE9), no final newline after the last command.
    const original = Buffer.concat([Buffer.from('#!/bin/sh\n# caf'), Buffer.from([0xe9]), Buffer.from('\necho ok\nexit 0')]);
    writeFileSync(hook, original);
    chmodSync(hook, 0o755);
    const before = sha256(hook);
    const install = gemleak(['hook', 'install'], repo);
    expect(install.status, install.stderr).toBe(0);
    const installed = readFileSync(hook);
    expect(installed.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe(true);
    expect(installed.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    expect(gemleak(['hook', 'install'], repo).stdout).toContain('nothing changed');
    const uninstall = gemleak(['hook', 'uninstall'], repo);
    expect(uninstall.status, uninstall.stderr).toBe(0);
    expect(sha256(hook)).toBe(before);
  });

  it('hook install in a bare repository is refused with a clear message', () => {
    const bare = path.join(root, 'bare.git');
    git(['init', '-q', '--bare', bare], root);
    const run = gemleak(['hook', 'install'], bare);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/this is a bare repository: nothing is committed in it, so git never runs a pre-commit hook here/);
    expect(readFileSync(path.join(bare, 'HEAD'), 'utf8')).toContain('ref:');
    expect(() => readFileSync(path.join(bare, 'hooks', 'pre-commit'))).toThrow();
  });
});

describe('staged paths are quoted for the shell', () => {
  it('a folder named -rf and a folder whose name is not UTF-8', () => {
    const repo = path.join(root, 'names');
    git(['init', '-q', repo], root);
    const latin1 = Buffer.concat([Buffer.from(`${repo}/caf`), Buffer.from([0xe9])]);
    mkdirSync(latin1);
    writeFileSync(Buffer.concat([latin1, Buffer.from('/Gemfile.lock')]), LEAKY);
    mkdirSync(path.join(repo, '-rf'));
    writeFileSync(path.join(repo, '-rf', 'Gemfile.lock'), LEAKY);
    git(['add', '-A'], repo);
    const run = gemleak(['check', '--staged'], repo);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("cd -- '-rf' && bundle update redis");
    expect(run.stdout).toContain("cd -- $'caf\\xe9' && bundle update redis");
    expect(run.stdout).toContain('caf\\xe9/Gemfile.lock:5');
    expect(run.stdout).not.toContain('\ufffd');
    // The printed command really reaches the folder: run it in a shell (with `bundle` replaced).
    const line = run.stdout.split('\n').find((text) => text.includes("cd -- $'caf"))!;
    const command = line.slice(line.indexOf('cd ')).replace('bundle update redis', 'pwd');
    const shell = spawnSync('bash', ['--norc', '--noprofile', '-c', command], { cwd: repo, env: { PATH: process.env.PATH ?? '' } });
    expect(shell.stdout.subarray(0, -1).equals(latin1)).toBe(true);
  });
});

describe('a huge staged lockfile', () => {
  it('is refused by its size in the index, with the cap named, exit 2', () => {
    const repo = path.join(root, 'huge');
    git(['init', '-q', repo], root);
    // 40 MiB of lockfile-looking lines, staged: refused before its content is read.
    writeFileSync(path.join(repo, 'Gemfile.lock'), `${LEAKY}${'#'.repeat(1023)}\n`.repeat(40 * 1024));
    git(['add', 'Gemfile.lock'], repo);
    const run = gemleak(['check', '--staged'], repo);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: Gemfile\.lock: is \d+\.\d MiB; gemleak reads lockfiles up to 32 MiB/);
  });
});
