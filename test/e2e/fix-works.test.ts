import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, tempDir, writeTree } from '../helpers/fixtures.js';
import { buildGemSource, type GemfileEntry, hasRubyTools, lockApp, rewriteGemfile, run, rubyEnv, SKIP_NO_RUBY } from '../helpers/gem-source.js';

/**
 * The fix gemleak suggests, run for real: a local gem source built with `gem`, apps locked with
 * `bundle`, the `runnable` command of `gemleak check --format json` run with `sh -c` from where
 * the check ran, and the lockfile checked again. No network: the only source is a folder.
 */

const LEAKY = 'gl-e2e-leaky';
const PARENT = 'gl-e2e-parent';
const FRAMEWORK = 'gl-e2e-framework';
const FLOOR = 'gl-e2e-floor';
const DEP = 'gl-e2e-dep';

let root: string;
let env: Record<string, string>;
let source: string;
/** One advisory: every version before 1.1.0 leaks. */
let oneAdvisory: string;
/** Two advisories: A is fixed in 1.0.1, but B flags 1.0.1 and is fixed in 1.1.0. */
let twoAdvisories: string;

interface Fix {
  minimum_safe_version: string | null;
  blockers: { kind: 'gemfile' | 'gem'; requirement: string; gem: string | null }[];
  command: string;
  directory: string | null;
  gemfile: string | null;
  runnable: string;
}
interface Upgrade {
  lockfile: string;
  gem: string;
  version: string;
  fix: Fix;
}

function check(cwd: string, database: string, extra: string[] = []) {
  const result = runCli(['check', '--no-config', '--database', database, '--format', 'json', ...extra], { cwd });
  if (result.status !== 0 && result.status !== 1) throw new Error(`gemleak check failed with ${result.status}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { upgrades: Upgrade[] };
  return { status: result.status, upgrades: report.upgrades };
}

/** The suggested command, pasted into a shell where the check ran. */
function runSuggested(cwd: string, runnable: string): string {
  const result = run('sh', ['-c', runnable], cwd, env);
  expect(result.status, `${runnable}\n${result.output}`).toBe(0);
  // The only source is the local folder: nothing was fetched from anywhere else.
  expect(result.output).not.toMatch(/https?:\/\//);
  return result.output;
}

function lockedVersion(lockfile: string, gem: string): string | undefined {
  return new RegExp(`^ {4}${gem} \\(([^)]+)\\)$`, 'm').exec(readFileSync(lockfile, 'utf8'))?.[1];
}

function app(name: string, gems: readonly GemfileEntry[], gemfile = 'Gemfile'): string {
  const dir = path.join(root, 'apps', name);
  lockApp(dir, source, gems, env, gemfile);
  return dir;
}

describe.skipIf(!hasRubyTools)(`the suggested fix, run for real with gem and bundle ${hasRubyTools ? '' : SKIP_NO_RUBY}`, () => {
  beforeAll(() => {
    root = tempDir('gemleak-e2e-');
    env = rubyEnv(root);
    source = buildGemSource(
      path.join(root, 'source'),
      [
        { name: LEAKY, version: '1.0.0' },
        { name: LEAKY, version: '1.0.1' },
        { name: LEAKY, version: '1.1.0' },
        { name: PARENT, version: '1.0.0', dependencies: [[LEAKY, '~> 1.0.0']] },
        { name: PARENT, version: '1.1.0', dependencies: [[LEAKY, '>= 1.0']] },
        // Pins the parent exactly, as rails pins actionpack.
        { name: FRAMEWORK, version: '1.0.0', dependencies: [[PARENT, '= 1.0.0']] },
        { name: FRAMEWORK, version: '1.1.0', dependencies: [[PARENT, '>= 1.0']] },
        // Its fixed release needs a newer version of its own dependency.
        { name: DEP, version: '1.0.0' },
        { name: DEP, version: '2.0.0' },
        { name: FLOOR, version: '1.0.0', dependencies: [[DEP, '>= 1.0']] },
        { name: FLOOR, version: '1.1.0', dependencies: [[DEP, '>= 2.0']] },
      ],
      env,
    );
    oneAdvisory = path.join(root, 'db-one');
    writeTree(oneAdvisory, {
      [`gems/${LEAKY}/GLE-1.yml`]: advisoryFile(LEAKY, { leaky: ['< 1.1.0'], patched: ['>= 1.1.0'] }),
      [`gems/${FLOOR}/GLF-1.yml`]: advisoryFile(FLOOR, { leaky: ['< 1.1.0'], patched: ['>= 1.1.0'] }),
    });
    twoAdvisories = path.join(root, 'db-two');
    writeTree(twoAdvisories, {
      [`gems/${LEAKY}/GLE-A.yml`]: advisoryFile(LEAKY, { leaky: ['< 1.0.1'], patched: ['>= 1.0.1'], title: 'A leak fixed in 1.0.1' }),
      [`gems/${LEAKY}/GLE-B.yml`]: advisoryFile(LEAKY, { leaky: ['= 1.0.1'], patched: ['>= 1.1.0'], title: 'A leak 1.0.1 brought' }),
    });
  });
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('the sandbox has no network: a Gemfile that names rubygems.org cannot be locked', () => {
    const dir = path.join(root, 'apps', 'offline');
    writeTree(dir, { Gemfile: 'source "https://rubygems.org"\ngem "rake"\n' });
    const result = run('bundle', ['lock'], dir, env);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('127.0.0.1:9');
  });

  it('(a) a plain dependency: the suggested command makes the lockfile clean', () => {
    const dir = app('plain', [{ name: LEAKY, lockAt: '1.0.1' }]);
    const before = check(dir, oneAdvisory);
    expect(before.status).toBe(1);
    expect(before.upgrades).toHaveLength(1);
    const { fix } = before.upgrades[0]!;
    expect(fix.minimum_safe_version).toBe('1.1.0');
    expect(fix.blockers).toEqual([]);
    expect(fix.runnable).toBe(`bundle update ${LEAKY}`);

    runSuggested(dir, fix.runnable);
    expect(lockedVersion(path.join(dir, 'Gemfile.lock'), LEAKY)).toBe('1.1.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });

  it('(b) the Gemfile pins it: the report names the requirement, the command alone changes nothing, after the Gemfile change it works', () => {
    const dir = app('gemfile-pin', [{ name: LEAKY, requirement: '~> 1.0.0', lockAt: '1.0.0' }]);
    const before = check(dir, oneAdvisory);
    expect(before.status).toBe(1);
    const { fix } = before.upgrades[0]!;
    expect(fix.minimum_safe_version).toBe('1.1.0');
    expect(fix.blockers).toHaveLength(1);
    expect(fix.blockers[0]).toMatchObject({ kind: 'gemfile', requirement: '~> 1.0.0', gem: null });
    const text = runCli(['check', '--no-config', '--database', oneAdvisory], { cwd: dir });
    expect(text.stdout).toContain(`the Gemfile requires ${LEAKY} (~> 1.0.0), which excludes 1.1.0: change that requirement in the Gemfile first`);

    // Without the Gemfile change, Bundler moves only within ~> 1.0.0: to 1.0.1, still leaky.
    runSuggested(dir, fix.runnable);
    expect(lockedVersion(path.join(dir, 'Gemfile.lock'), LEAKY)).toBe('1.0.1');
    expect(check(dir, oneAdvisory).status).toBe(1);

    // As advised: the requirement changed to allow the safe version, then the same command.
    rewriteGemfile(dir, source, [{ name: LEAKY, requirement: `>= ${fix.minimum_safe_version}` }]);
    runSuggested(dir, fix.runnable);
    expect(lockedVersion(path.join(dir, 'Gemfile.lock'), LEAKY)).toBe('1.1.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });

  it('(c) a locked parent gem pins it: the command moves the parent too and that makes it clean', () => {
    const dir = app('parent-pin', [{ name: PARENT, lockAt: '1.0.0' }]);
    const lockfile = path.join(dir, 'Gemfile.lock');
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.0.1');
    const before = check(dir, oneAdvisory);
    expect(before.status).toBe(1);
    const { fix } = before.upgrades[0]!;
    expect(fix.blockers).toEqual([{ kind: 'gem', requirement: '~> 1.0.0', gem: `${PARENT} 1.0.0`, line: expect.any(Number) }]);
    expect(fix.runnable).toBe(`bundle update ${LEAKY} ${PARENT}`);

    // Naming the leaky gem alone is not enough: the parent holds it.
    runSuggested(dir, `bundle update ${LEAKY}`);
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.0.1');

    runSuggested(dir, fix.runnable);
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.1.0');
    expect(lockedVersion(lockfile, PARENT)).toBe('1.1.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });

  it('(d) a dual-boot Gemfile.next.lock in a subfolder, checked with --recursive from above: the command goes there (quoted) and uses Gemfile.next', () => {
    const dir = path.join(root, 'apps', 'dual');
    const sub = path.join(dir, 'web app');
    lockApp(sub, source, [{ name: LEAKY, lockAt: '1.1.0' }], env);
    lockApp(sub, source, [{ name: LEAKY, lockAt: '1.0.0' }], env, 'Gemfile.next');
    const before = check(dir, oneAdvisory, ['--recursive']);
    expect(before.status).toBe(1);
    expect(before.upgrades).toHaveLength(1);
    const upgrade = before.upgrades[0]!;
    expect(upgrade.lockfile).toBe('web app/Gemfile.next.lock');
    expect(upgrade.fix).toMatchObject({ directory: 'web app', gemfile: 'Gemfile.next' });
    expect(upgrade.fix.runnable).toBe(`cd -- 'web app' && BUNDLE_GEMFILE=Gemfile.next bundle update ${LEAKY}`);

    const mainLockfile = readFileSync(path.join(sub, 'Gemfile.lock'), 'utf8');
    runSuggested(dir, upgrade.fix.runnable);
    expect(lockedVersion(path.join(sub, 'Gemfile.next.lock'), LEAKY)).toBe('1.1.0');
    // The command changed the dual-boot lockfile, not the main one.
    expect(readFileSync(path.join(sub, 'Gemfile.lock'), 'utf8')).toBe(mainLockfile);
    expect(check(dir, oneAdvisory, ['--recursive'])).toEqual({ status: 0, upgrades: [] });
  });

  it('(e) the safe version skips one another advisory flags: minimum 1.1.0, not 1.0.1, and the command gets there', () => {
    const dir = app('two-advisories', [{ name: LEAKY, lockAt: '1.0.0' }]);
    const before = check(dir, twoAdvisories);
    expect(before.status).toBe(1);
    const { fix } = before.upgrades[0]!;
    expect(fix.minimum_safe_version).toBe('1.1.0');
    expect(fix.runnable).toBe(`bundle update ${LEAKY}`);

    runSuggested(dir, fix.runnable);
    expect(lockedVersion(path.join(dir, 'Gemfile.lock'), LEAKY)).toBe('1.1.0');
    expect(check(dir, twoAdvisories)).toEqual({ status: 0, upgrades: [] });
  });

  it('(f) the parent is pinned by another locked gem: the command names that gem too, and that makes it clean', () => {
    const dir = app('framework-pin', [{ name: FRAMEWORK, lockAt: '1.0.0' }]);
    const lockfile = path.join(dir, 'Gemfile.lock');
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.0.1');
    const { fix } = check(dir, oneAdvisory).upgrades[0]!;
    expect(fix.runnable).toBe(`bundle update ${LEAKY} ${PARENT} ${FRAMEWORK}`);

    // Bundler unlocks only the gems named (and their dependencies): the framework keeps the parent where it is.
    runSuggested(dir, `bundle update ${LEAKY} ${PARENT}`);
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.0.1');

    runSuggested(dir, fix.runnable);
    expect(lockedVersion(lockfile, FRAMEWORK)).toBe('1.1.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });

  it('(g) the Gemfile pins the gem that pins the parent (gem "rails", "4.2.6"): the report says to change that first, then the command works', () => {
    const dir = app('gemfile-pins-framework', [{ name: FRAMEWORK, requirement: '= 1.0.0', lockAt: '1.0.0' }]);
    const lockfile = path.join(dir, 'Gemfile.lock');
    const { fix } = check(dir, oneAdvisory).upgrades[0]!;
    expect(fix.blockers.map((blocker) => [blocker.kind, blocker.gem])).toEqual([
      ['gem', `${PARENT} 1.0.0`],
      ['gemfile', `${FRAMEWORK} 1.0.0`],
    ]);
    expect(fix.runnable).toBe(`bundle update ${LEAKY} ${PARENT} ${FRAMEWORK}`);
    const text = runCli(['check', '--no-config', '--database', oneAdvisory], { cwd: dir });
    expect(text.stdout).toContain(`the Gemfile pins ${FRAMEWORK} (= 1.0.0), which has to move too: change that requirement in the Gemfile first`);

    runSuggested(dir, fix.runnable);
    expect(lockedVersion(lockfile, LEAKY)).toBe('1.0.1');

    rewriteGemfile(dir, source, [{ name: FRAMEWORK }]);
    runSuggested(dir, fix.runnable);
    expect(lockedVersion(lockfile, FRAMEWORK)).toBe('1.1.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });

  // `--conservative` would keep the gem's own dependencies locked: the fixed release that needs a
  // newer one would stay out of reach with no error but "its version stayed the same".
  it('(h) the fixed release needs a newer version of its own dependency: the suggested command gets there', () => {
    const dir = app('dependency-floor', [
      { name: FLOOR, lockAt: '1.0.0' },
      { name: DEP, lockAt: '1.0.0' },
    ]);
    const lockfile = path.join(dir, 'Gemfile.lock');
    const { fix } = check(dir, oneAdvisory).upgrades[0]!;
    expect(fix.runnable).toBe(`bundle update ${FLOOR}`);
    runSuggested(dir, fix.runnable);
    expect(lockedVersion(lockfile, FLOOR)).toBe('1.1.0');
    expect(lockedVersion(lockfile, DEP)).toBe('2.0.0');
    expect(check(dir, oneAdvisory)).toEqual({ status: 0, upgrades: [] });
  });
});
