import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';

/** Exit codes across several lockfiles, given as paths or found with --recursive (real CLI, real git). */
let root: string;
let mono: string;
const env = () => ({ GEMLEAK_DB: path.join(root, 'db') });

beforeAll(() => {
  root = tempDir('gemleak-many-');
  writeSmallDatabase(path.join(root, 'db'));
  writeTree(root, {
    'clean-a/Gemfile.lock': lockfileWith(['redis (3.3.1)']),
    'clean-b/gems.locked': lockfileWith(['oj (1.0)']),
    'leaky/Gemfile.lock': lockfileWith(['redis (3.2.2)']),
    'broken/Gemfile.lock': 'this is not a lockfile\n',
    'mono/.gitignore': 'tmp/\n',
    'mono/Gemfile.lock': lockfileWith(['rack (2.2.8)']),
    'mono/Gemfile_next.lock': lockfileWith(['rack (3.0.0)']),
    'mono/engines/billing/Gemfile.lock': lockfileWith(['redis (3.3.1)']),
    'mono/tmp/Gemfile.lock': lockfileWith(['redis (3.3.0)']),
    'mono/node_modules/x/Gemfile.lock': lockfileWith(['redis (3.3.0)']),
    'mono/vendor/bundle/ruby/3.3.0/gems/y-1/Gemfile.lock': lockfileWith(['redis (3.3.0)']),
    'empty-repo/README.md': 'no Ruby here\n',
  });
  mono = path.join(root, 'mono');
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: mono });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: path.join(root, 'empty-repo') });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('several lockfiles: one report, one exit code', () => {
  const cases = [
    { paths: ['clean-a', 'clean-b'], status: 0, what: 'all clean' },
    { paths: ['clean-a', 'leaky', 'clean-b'], status: 1, what: 'one leaky among clean ones' },
    { paths: ['leaky', 'broken'], status: 2, what: 'a broken lockfile stops the run, even with findings elsewhere' },
    { paths: ['clean-a', 'nothing-here'], status: 2, what: 'a missing path' },
  ];
  it.each(cases)('$what → exit $status', ({ paths, status }) => {
    const run = runCli(['check', ...paths], { cwd: root, env: env() });
    expect(run.status, run.stderr).toBe(status);
  });

  it('names each finding with its lockfile and sums the gems', () => {
    const run = runCli(['check', 'clean-a', 'leaky', 'clean-b', '--format', 'json'], { cwd: root, env: env() });
    const report = JSON.parse(run.stdout);
    expect(report.lockfiles.map((entry: { path: string }) => entry.path)).toEqual([path.join('clean-a', 'Gemfile.lock'), path.join('leaky', 'Gemfile.lock'), path.join('clean-b', 'gems.locked')]);
    expect(report.findings.map((finding: { lockfile: string }) => finding.lockfile)).toEqual([path.join('leaky', 'Gemfile.lock')]);
    expect(report.summary.gems_checked).toBe(3);
  });

  it('a broken lockfile is named with its line', () => {
    const run = runCli(['check', 'clean-a', 'broken'], { cwd: root, env: env() });
    expect(run.stderr).toMatch(/^gemleak: \S*broken\/Gemfile\.lock:1: /);
  });
});

describe('--recursive', () => {
  it('checks every lockfile below the folder, skipping ignored and vendored ones', () => {
    const run = runCli(['check', '--recursive', '--format', 'json'], { cwd: mono, env: env() });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.lockfiles.map((entry: { path: string }) => entry.path)).toEqual(['Gemfile.lock', 'Gemfile_next.lock', path.join('engines', 'billing', 'Gemfile.lock')]);
  });

  it('exits 1 when a lockfile found below has a finding, naming it', () => {
    const run = runCli(['check', '-r', '.', '../leaky'], { cwd: mono, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`redis 3.2.2  ${path.join('..', 'leaky', 'Gemfile.lock')}:4`);
    expect(run.stdout).toContain('1 known leak in 1 gem version (1 of 4 lockfiles affected): 4 lockfiles');
  });

  it('exits 2 when a folder has no lockfile at all', () => {
    const run = runCli(['check', '--recursive', 'empty-repo'], { cwd: root, env: env() });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('gemleak: empty-repo: no lockfile (Gemfile.lock, gems.locked, Gemfile*.lock) below this folder, outside ignored folders\n');
  });
});

describe('--recursive and folder names that are not UTF-8', () => {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8

  function makeTree(withGit: boolean): string {
    const top = tempDir();
    const folder = Buffer.concat([Buffer.from(`${top}/`), latin1]);
    mkdirSync(folder);
    writeFileSync(Buffer.concat([folder, Buffer.from('/Gemfile.lock')]), lockfileWith(['redis (3.3.0)']));
    writeFileSync(path.join(top, 'Gemfile.lock'), lockfileWith(['rack (2.2.8)']));
    if (withGit) execFileSync('git', ['init', '-q'], { cwd: top, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    return top;
  }

  it.each([
    ['outside a repository (walked)', false],
    ['inside a repository (listed by git)', true],
  ])('%s: never skipped in silence, the folder is named byte for byte', (_what, withGit) => {
    const top = makeTree(withGit);
    try {
      const run = runCli(['check', '--recursive', '.'], { cwd: top, env: { GEMLEAK_HOME: path.join(top, '.home') } });
      expect(run.stderr).toContain('caf\\xe9');
      expect(run.stderr).toContain('is not UTF-8, so lockfiles at or below it were not checked');
      expect(run.status).toBe(0);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
