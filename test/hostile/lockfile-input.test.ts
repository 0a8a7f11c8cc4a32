import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidGemVersion } from '../../src/versions/index.js';
import { gemleakBin, runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase } from '../helpers/fixtures.js';

// Issue 11, "Never hang, never eat all memory, never print a stack trace": lockfile inputs.
let root: string;
const env = () => ({ GEMLEAK_DB: path.join(root, 'db') });
const check = (args: string[]) => runCli(['check', ...args], { cwd: root, env: env() });

beforeAll(() => {
  root = tempDir('gemleak-hostile-lockfile-');
  writeSmallDatabase(path.join(root, 'db'));
  writeFileSync(path.join(root, 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
  execFileSync('mkfifo', [path.join(root, 'fifo.lock')]);
  // 10 MB version string; 8 MB requirement list (line 5 under a spec, and in DEPENDENCIES).
  writeFileSync(path.join(root, 'version.lock'), lockfileWith([`redis (${'1.'.repeat(5_000_000)}0)`]));
  const requirements = Array.from({ length: 1_000_000 }, () => '>= 1.0').join(', ');
  writeFileSync(path.join(root, 'requirement.lock'), lockfileWith(['redis (3.3.0)']).replace('    redis (3.3.0)\n', `    redis (3.3.0)\n      rack (${requirements})\n`));
  writeFileSync(path.join(root, 'long-version.lock'), lockfileWith([`redis (${'1.'.repeat(600)}0)`]));
  // A sparse 40 MiB file: over the cap without writing 40 MiB.
  writeFileSync(path.join(root, 'huge.lock'), lockfileWith(['redis (3.3.0)']));
  truncateSync(path.join(root, 'huge.lock'), 40 * 1024 * 1024);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One line on stderr, exit 2, no stack trace. */
function expectOneLineError(run: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/internal error|Maximum call stack|\n\s+at /);
}

describe('lockfiles that are not regular files are refused at once', () => {
  it('a FIFO with no writer: refused, not waited on', () => {
    const started = Date.now();
    expectOneLineError(check(['fifo.lock']), /^gemleak: fifo\.lock: is a pipe or FIFO .*regular file only/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('/dev/zero: refused, named as typed', () => {
    expectOneLineError(check(['/dev/zero']), /^gemleak: \/dev\/zero: is a character device; gemleak reads a lockfile from a regular file only\n$/);
  });

  it('/dev/stdin redirected from a file works and is named /dev/stdin', () => {
    const input = openSync(path.join(root, 'Gemfile.lock'), 'r');
    try {
      const run = spawnSync(process.execPath, [gemleakBin, 'check', '/dev/stdin'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env() },
        stdio: [input, 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('redis 3.3.0  /dev/stdin:4');
      expect(run.stdout).not.toContain('../');
    } finally {
      closeSync(input);
    }
  });

  it('/dev/stdin from a pipe (a socket pair under Node): refused with how to do it instead, named as typed', () => {
    const run = runCli(['check', '/dev/stdin'], { cwd: root, env: env(), input: lockfileWith(['redis (3.3.0)']) });
    expectOneLineError(run, /^gemleak: \/dev\/stdin: is a (pipe or FIFO|socket or a device, not a regular file) \(to read standard input, redirect a file to it: < Gemfile\.lock\)/);
    const shell = spawnSync('sh', ['-c', `cat Gemfile.lock | node ${JSON.stringify(gemleakBin)} check /dev/stdin`], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env() }, encoding: 'utf8' });
    expectOneLineError(shell, /^gemleak: \/dev\/stdin: is a pipe or FIFO \(to read standard input/);
  });

  it('a lockfile over the size cap: a clear message naming the cap', () => {
    expectOneLineError(check(['huge.lock']), /^gemleak: huge\.lock: is 40\.0 MiB; gemleak reads lockfiles up to 32 MiB/);
  });
});

describe('huge lines: a line-numbered error, never a stack overflow', () => {
  it('a 10 MB version string', () => {
    expectOneLineError(check(['version.lock']), /^gemleak: version\.lock:4: the line is 10000013 characters long; gemleak reads lockfile lines up to 65536/);
  });

  it('an 8 MB requirement list', () => {
    expectOneLineError(check(['requirement.lock']), /^gemleak: requirement\.lock:5: the line is \d{7} characters long/);
  });

  it('a 1,201-character version (under the line cap) is not taken for a version', () => {
    expectOneLineError(check(['long-version.lock']), /^gemleak: long-version\.lock:4: .*the version is 1201 characters long \(at most 1024 are read\)/);
  });

  it('the version library refuses megabyte versions instead of overflowing (advisories are read with it)', () => {
    expect(isValidGemVersion(`${'1.'.repeat(5_000_000)}0`)).toBe(false);
    expect(isValidGemVersion(`${'1.'.repeat(511)}0`)).toBe(true);
  });
});
