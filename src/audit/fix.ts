import type { Advisory } from '../advisories/types.js';
import type { Lockfile, LockedSpec } from '../lockfile/types.js';
import { GemRequirement, GemVersion } from '../versions/index.js';
import { shellWord } from '../shell.js';
import { safeVersionsAbove } from './safe-versions.js';
import type { Fix, FixBlocker } from './types.js';

/**
 * The fix for a gem version that has findings: the versions above it that no advisory of the gem
 * flags (so an upgrade never walks into another known leak), the smallest of them, what in the
 * lockfile holds the gem below it, and the command, run where it works. Pure.
 */
export function fixFor(lockfile: Lockfile, spec: Pick<LockedSpec, 'name' | 'version'>, platforms: readonly (string | null)[], gemAdvisories: readonly Advisory[], hit: Advisory): Fix {
  const locked = GemVersion.parse(spec.version);
  const safe = safeVersionsAbove(gemAdvisories, locked, platforms);
  const direct = safe.minimum === null ? [] : blockersOf(lockfile, spec.name, GemVersion.parse(safe.minimum));
  const moving = gemsToMove(lockfile, spec.name, direct);
  const blockers = [...direct, ...gemfilePins(lockfile, moving.slice(1))];
  const where = whereToRun(lockfile.file);
  // Not `--conservative`: it keeps the gem's own dependencies locked, and a fixed release that needs a
  // newer one (the lockfile cannot tell) then stays where it is without an error.
  const command = `bundle update ${moving.join(' ')}`;
  return {
    patchedVersions: hit.patchedVersions,
    minimumSafeVersion: safe.minimum,
    safeVersions: safe.ranges,
    blockers,
    command,
    directory: where.directory,
    gemfile: where.gemfile,
    runnable: runnable(command, where),
  };
}

/**
 * What keeps Bundler from moving `gem` to `target`: the Gemfile's requirement (the lockfile's
 * DEPENDENCIES) and every locked gem that depends on it with a requirement `target` does not meet.
 * `bundle update GEM` alone changes nothing while one of these holds.
 */
function blockersOf(lockfile: Lockfile, gem: string, target: GemVersion): FixBlocker[] {
  const blockers: FixBlocker[] = [];
  for (const dependency of lockfile.dependencies) {
    if (dependency.name === gem && excludes(dependency.requirement, target)) {
      blockers.push({ kind: 'gemfile', requirement: dependency.requirement, gem: null, line: dependency.line });
    }
  }
  const parents = new Set<string>();
  for (const { parent, requirement } of indexOf(lockfile).dependents.get(gem) ?? []) {
    if (!excludes(requirement, target)) continue;
    const key = `${parent.name} ${parent.version}`;
    if (parents.has(key)) continue;
    parents.add(key);
    blockers.push({ kind: 'gem', requirement, gem: key, line: parent.line });
  }
  return blockers;
}

interface LockfileIndex {
  /** Gem name → its locked version (the last spec of that name, as a Map built from the specs). */
  lockedVersions: Map<string, string>;
  /** Gem name → each locked gem that depends on it, with the requirement, in lockfile order. */
  dependents: Map<string, { parent: LockedSpec; requirement: string }[]>;
}

const indexes = new WeakMap<Lockfile, LockfileIndex>();

/** Built once per lockfile, however many of its gems have findings: a lockfile locks hundreds. */
function indexOf(lockfile: Lockfile): LockfileIndex {
  let index = indexes.get(lockfile);
  if (index === undefined) {
    const lockedVersions = new Map<string, string>();
    const dependents = new Map<string, { parent: LockedSpec; requirement: string }[]>();
    for (const parent of lockfile.specs) {
      lockedVersions.set(parent.name, parent.version);
      for (const { name, requirement } of parent.dependencies) {
        const list = dependents.get(name);
        if (list) list.push({ parent, requirement });
        else dependents.set(name, [{ parent, requirement }]);
      }
    }
    index = { lockedVersions, dependents };
    indexes.set(lockfile, index);
  }
  return index;
}

function excludes(requirement: string, target: GemVersion): boolean {
  if (requirement.trim() === '') return false;
  try {
    return !GemRequirement.parse(requirement).satisfiedBy(target);
  } catch {
    return false;
  }
}

/**
 * The gems `bundle update` has to name: the gem; each locked gem that holds it
 * below the fix; and, up the chain, each gem that pins one of those. When the Gemfile holds the gem
 * itself, no command helps until the Gemfile changes (the reports say so), and the command shown
 * is the one to run after that change.
 */
function gemsToMove(lockfile: Lockfile, gem: string, blockers: readonly FixBlocker[]): string[] {
  const parents = [...new Set(blockers.flatMap((blocker) => (blocker.kind === 'gem' && blocker.gem !== null ? [blocker.gem.split(' ')[0]!] : [])))];
  const moving = [gem, ...parents];
  return [...moving, ...pinningAncestors(lockfile, moving)];
}

/**
 * A gem that has to move but that the Gemfile pins to its locked version (`gem "rails", "4.2.6"`):
 * the Gemfile has to change first, as for the gem itself.
 */
function gemfilePins(lockfile: Lockfile, moving: readonly string[]): FixBlocker[] {
  const { lockedVersions } = indexOf(lockfile);
  return lockfile.dependencies.flatMap((dependency) => {
    const version = lockedVersions.get(dependency.name);
    if (!moving.includes(dependency.name) || version === undefined || !admitsNothingAbove(dependency.requirement, version)) return [];
    return [{ kind: 'gemfile' as const, requirement: dependency.requirement, gem: `${dependency.name} ${version}`, line: dependency.line }];
  });
}

/**
 * `bundle update` unlocks only the gems named and their dependencies: a parent that has to move stays where it is when
 * another locked gem pins it to its locked version (as `rails` pins `actionpack (= 7.0.1)`), and
 * Bundler says nothing but "its version stayed the same". So every gem that pins one that has to
 * move is named too, up the chain. Only such pins are named: for a looser requirement nothing in
 * the lockfile tells whether the parent's next release is inside it.
 */
function pinningAncestors(lockfile: Lockfile, moving: readonly string[]): string[] {
  const { lockedVersions, dependents } = indexOf(lockfile);
  const named = new Set(moving);
  const found: string[] = [];
  const queue = [...moving.slice(1)];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const version = lockedVersions.get(name);
    if (version === undefined) continue;
    for (const { parent, requirement } of dependents.get(name) ?? []) {
      if (named.has(parent.name) || !admitsNothingAbove(requirement, version)) continue;
      named.add(parent.name);
      found.push(parent.name);
      queue.push(parent.name);
    }
  }
  return found;
}

/** True for `= 7.0.1` against 7.0.1: no release above the locked one meets the requirement. */
function admitsNothingAbove(requirement: string, locked: string): boolean {
  if (requirement.trim() === '') return false;
  try {
    // A version just above the locked one and below any release that could follow it.
    return !GemRequirement.parse(requirement).satisfiedBy(GemVersion.parse(`${locked}.0.0.0.0.0.0.1`));
  } catch {
    return false;
  }
}

interface Where {
  /** The lockfile's folder as the report names it; null when it is the current folder. */
  directory: string | null;
  /** The Gemfile of a dual-boot lockfile (`Gemfile.next` for `Gemfile.next.lock`), else null. */
  gemfile: string | null;
}

function whereToRun(lockfile: string): Where {
  const normal = lockfile.replace(/\\/g, '/');
  const slash = normal.lastIndexOf('/');
  const folder = slash < 0 ? '' : normal.slice(0, slash) || '/';
  const name = normal.slice(slash + 1);
  const gemfile = /^Gemfile.+\.lock$/.test(name) && name !== 'Gemfile.lock' ? name.slice(0, -'.lock'.length) : null;
  return { directory: folder === '' ? null : folder, gemfile };
}

/** The command as it can be pasted where the report is read: in the lockfile's folder, with its Gemfile. */
function runnable(command: string, where: Where): string {
  const withGemfile = where.gemfile === null ? command : `BUNDLE_GEMFILE=${shellWord(where.gemfile)} ${command}`;
  return where.directory === null ? withGemfile : `cd -- ${shellWord(where.directory)} && ${withGemfile}`;
}
