import type { Advisory } from '../advisories/types.js';
import { GemRequirement, GemVersion } from '../versions/index.js';
import type { Fix } from './types.js';

/** The fix for a finding: the patched requirements, the smallest safe version above the locked one, the command. */
export function fixFor(advisory: Advisory, gem: string, lockedVersion: string): Fix {
  return {
    patchedVersions: advisory.patchedVersions,
    minimumSafeVersion: smallestSafeVersion(advisory.patchedVersions, GemVersion.parse(lockedVersion)),
    command: `bundle update ${gem} --conservative`,
  };
}

/**
 * Each patched requirement is a conjunction; its smallest member, when it has one that can be named,
 * is one of its inclusive lower bounds (`>= 1.2`, `~> 1.2`, `= 1.2`) that meets the whole conjunction.
 * `> 1.2` has no nameable smallest member. Of those above the locked version, the smallest wins:
 * it is the least disruptive upgrade.
 */
export function smallestSafeVersion(patched: readonly string[], locked: GemVersion): string | null {
  let best: GemVersion | null = null;
  for (const text of patched) {
    const requirement = GemRequirement.parse(text);
    for (const { operator, version } of requirement.constraints) {
      if (operator !== '>=' && operator !== '~>' && operator !== '=') continue;
      if (!requirement.satisfiedBy(version) || version.compare(locked) <= 0) continue;
      if (best === null || version.compare(best) < 0) best = version;
    }
  }
  return best === null ? null : best.toString();
}
