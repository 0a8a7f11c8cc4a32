import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';

let root: string;
let db: string;
const env = () => ({ GEMLEAK_DB: db });

beforeAll(() => {
  root = tempDir();
  db = path.join(root, 'db');
  writeSmallDatabase(db);
  writeTree(root, {
    'leaky/Gemfile.lock': lockfileWith(['rack (2.2.8)', 'redis (3.3.0)', 'oj (0.9)']),
    'clean/Gemfile.lock': lockfileWith(['rack (2.2.8)', 'redis (3.2.1)', 'oj (1.0)']),
    'locked/gems.locked': lockfileWith(['redis (3.2.2)']),
    'platforms/Gemfile.lock': lockfileWith(['oj (0.9)', 'oj (0.9-java)', 'oj (0.9-x86_64-linux)'], ['java', 'ruby', 'x86_64-linux']),
    'conflict/Gemfile.lock': lockfileWith(['redis (3.3.0)']).replace('    redis (3.3.0)', '<<<<<<< HEAD\n    redis (3.3.0)\n=======\n    redis (3.3.1)\n>>>>>>> main'),
    'empty/Gemfile.lock': '',
    'nothing-here/README': 'no lockfile',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('gemleak check: exit codes and text', () => {
  it('exits 1 and prints each finding with its fix', () => {
    const run = runCli(['check', 'leaky/Gemfile.lock'], { cwd: root, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('redis 3.3.0  leaky/Gemfile.lock:5');
    expect(run.stdout).toContain('  redis-612  ');
    expect(run.stdout).toContain('    https://example.com/redis/issues/1');
    expect(run.stdout).toContain('Fix:  upgrade to 3.3.1 (safe: 3.3.1 and later)');
    expect(run.stdout).toContain('bundle update redis');
    expect(run.stdout).toContain('oj 0.9');
    // oj-1 has no patched release, but its leaky range ends: 1.0 no longer has the leaking code.
    expect(run.stdout).toContain('Fix:  upgrade to 1.0 (safe: 1.0 and later)');
    expect(run.stdout).toContain('2 known leaks in 2 gem versions: leaky/Gemfile.lock (3 gems checked against 2 advisories)');
    expect(run.stdout).toContain('Database: custom (2)');
    expect(run.stderr).toBe('');
  });

  it('exits 0 when clean, says so and shows the heap-diff follow-up', () => {
    const run = runCli(['check', 'clean'], { cwd: root, env: env() });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('No known memory leaks in clean/Gemfile.lock (3 gems checked against 2 advisories).');
    expect(run.stdout).toContain('ObjectSpace.trace_object_allocations_start');
    expect(run.stdout).toContain('bundle exec derailed exec perf:heap_diff');
    expect(run.stdout).toContain('gemleak heap diff heap-A.json heap-B.json heap-C.json --filter clean');
  });

  it('--quiet prints nothing when clean', () => {
    const run = runCli(['check', 'clean', '--quiet'], { cwd: root, env: env() });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
  });

  it('--verbose adds the description', () => {
    const run = runCli(['check', 'leaky', '--verbose'], { cwd: root, env: env() });
    expect(run.stdout).toContain('redis holds on to memory.');
  });

  it('finds gems.locked in a folder without Gemfile.lock', () => {
    const run = runCli(['check', 'locked'], { cwd: root, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('redis 3.2.2  locked/gems.locked:4');
  });

  it('checks ./Gemfile.lock by default', () => {
    const run = runCli(['check'], { cwd: path.join(root, 'leaky'), env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Gemfile.lock:5');
  });

  it('reports one finding per gem version, listing its platforms', () => {
    const run = runCli(['check', 'platforms', '--format', 'json'], { cwd: root, env: env() });
    const report = JSON.parse(run.stdout);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0].platforms).toEqual(['ruby', 'java', 'x86_64-linux']);
    expect(report.findings[0].line).toBe(4);
  });

  it('--ignore suppresses a finding without failing, and warns about ids that matched nothing', () => {
    const run = runCli(['check', 'leaky', '--ignore', 'redis-612', 'oj-1', 'nope-9'], { cwd: root, env: env() });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Ignored (2):');
    expect(run.stderr).toContain('--ignore nope-9 matched no finding');
  });
});

describe('gemleak check: several advisories on one gem version', () => {
  it('names the one upgrade that clears them all', () => {
    const twoLeaks = tempDir();
    try {
      writeSmallDatabase(twoLeaks);
      writeTree(twoLeaks, { 'gems/redis/700.yml': advisoryFile('redis', { leaky: ['< 3.4'], patched: ['>= 3.4'] }) });
      const run = runCli(['check', 'leaky'], { cwd: root, env: { GEMLEAK_DB: twoLeaks } });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('redis 3.3.0  leaky/Gemfile.lock:5  2 known leaks');
      expect(run.stdout).toContain('Fix:  upgrade to 3.4 (safe: 3.4 and later), which fixes all of these\n        cd -- leaky && bundle update redis');
    } finally {
      rmSync(twoLeaks, { recursive: true, force: true });
    }
  });
});

describe('gemleak check --format json', () => {
  it('prints only JSON, with the documented fields', () => {
    const run = runCli(['check', 'leaky', '--format', 'json'], { cwd: root, env: env() });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.schema_version).toBe(1);
    expect(report.summary).toEqual({ findings: 2, gem_versions: 2, suppressed: 0, lockfiles: 1, affected_lockfiles: 1, gems_checked: 3, advisories: 2, exit_code: 1 });
    const redis = report.findings.find((f: { gem: string }) => f.gem === 'redis');
    expect(redis).toMatchObject({
      gem: 'redis',
      version: '3.3.0',
      platforms: ['ruby'],
      lockfile: 'leaky/Gemfile.lock',
      line: 5,
      advisory: {
        id: '612',
        ignore_id: 'redis-612',
        url: 'https://example.com/redis/issues/1',
        title: 'Timeout threads pile up',
        leaky_versions: ['= 3.2.2', '= 3.3.0'],
        patched_versions: ['>= 3.3.1'],
        unaffected_versions: [],
      },
      fix: { patched_versions: ['>= 3.3.1'], minimum_safe_version: '3.3.1', command: 'bundle update redis' },
      suppressed: null,
    });
    expect(report.database).toMatchObject({ advisories: 2, sources: [{ kind: 'custom', path: db, advisories: 2 }] });
    expect(report.warnings).toEqual([]);
  });

  it('--output writes the report to a file and nothing to stdout', () => {
    const out = path.join(root, 'report.json');
    const run = runCli(['check', 'leaky', '--format', 'json', '--output', out], { cwd: root, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.findings).toBe(2);
  });

  it('reports a skipped advisory as a warning, and --strict makes it fatal', () => {
    const broken = tempDir();
    try {
      writeSmallDatabase(broken);
      writeFileSync(path.join(broken, 'gems', 'redis', '999.yml'), 'gem: redis\ndate: soon\n');
      const run = runCli(['check', 'leaky', '--format', 'json'], { cwd: root, env: { GEMLEAK_DB: broken } });
      expect(run.status).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report.warnings).toEqual([{ message: expect.stringContaining('advisory skipped'), file: path.join(broken, 'gems/redis/999.yml'), line: null }]);
      expect(run.stderr).toContain('gems/redis/999.yml: advisory skipped');
      const strict = runCli(['check', 'leaky', '--strict'], { cwd: root, env: { GEMLEAK_DB: broken } });
      expect(strict.status).toBe(2);
      expect(strict.stderr.trim().split('\n')).toHaveLength(1);
      expect(strict.stderr).toContain('999.yml');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('gemleak check: bad input is exit 2 with one line', () => {
  it.each([
    ['a missing lockfile', ['check', 'no/such/Gemfile.lock'], 'no/such/Gemfile.lock'],
    ['a folder without a lockfile', ['check', 'nothing-here'], 'nothing-here'],
    ['an empty lockfile', ['check', 'empty'], 'empty/Gemfile.lock'],
    ['merge-conflict markers', ['check', 'conflict'], 'merge conflict'],
    ['an unknown flag', ['check', '--nope'], "unknown option '--nope'"],
    ['an unknown format', ['check', '--format', 'yaml'], 'yaml'],
    ['an unknown command', ['frobnicate'], 'frobnicate'],
    ['a database that is not one', ['check', 'leaky', '--database', 'clean'], 'no gems/ folder'],
  ])('%s', (_name, args, text) => {
    const run = runCli(args, { cwd: root, env: env() });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(text);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });
});

describe('help and version', () => {
  it.each([
    [['--help']],
    [['check', '--help']],
    [['update', '--help']],
    [['db', 'status', '--help']],
    [['db', 'lint', '--help']],
    [['hook', 'install', '--help']],
    [['hook', 'uninstall', '--help']],
    [['heap', 'diff', '--help']],
    [['heap', 'summary', '--help']],
  ])('%j shows an example and exits 0', (args) => {
    const run = runCli(args);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toMatch(/\$ gemleak /);
  });

  it('--version prints the version and the advisory count of the database in use', () => {
    const version = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version;
    const run = runCli(['--version'], { env: env() });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`gemleak ${version} (2 advisories, custom database)\n`);
  });
});
