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
  const blockers = safe.minimum === null ? [] : blockersOf(lockfile, spec.name, GemVersion.parse(safe.minimum));
  const where = whereToRun(lockfile.file);
  const command = updateCommand(spec.name, blockers);
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
 * `bundle update GEM --conservative` alone changes nothing while one of these holds.
 */
export function blockersOf(lockfile: Lockfile, gem: string, target: GemVersion): FixBlocker[] {
  const blockers: FixBlocker[] = [];
  for (const dependency of lockfile.dependencies) {
    if (dependency.name === gem && excludes(dependency.requirement, target)) {
      blockers.push({ kind: 'gemfile', requirement: dependency.requirement, gem: null, line: dependency.line });
    }
  }
  const parents = new Set<string>();
  for (const parent of lockfile.specs) {
    for (const dependency of parent.dependencies) {
      if (dependency.name !== gem || !excludes(dependency.requirement, target)) continue;
      const key = `${parent.name} ${parent.version}`;
      if (parents.has(key)) continue;
      parents.add(key);
      blockers.push({ kind: 'gem', requirement: dependency.requirement, gem: key, line: parent.line });
    }
  }
  return blockers;
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
 * `bundle update GEM --conservative` moves the gem alone. When a locked gem holds it below the fix,
 * that gem has to move too; when the Gemfile does, no command helps until the Gemfile changes (the
 * reports say so), and the command shown is the one to run after that change.
 */
function updateCommand(gem: string, blockers: readonly FixBlocker[]): string {
  const parents = [...new Set(blockers.flatMap((blocker) => (blocker.kind === 'gem' && blocker.gem !== null ? [blocker.gem.split(' ')[0]!] : [])))];
  return `bundle update ${[gem, ...parents].join(' ')} --conservative`;
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
