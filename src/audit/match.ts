import { GemRequirement, GemVersion } from '../versions/index.js';
import type { Advisory } from '../advisories/types.js';

const requirementCache = new Map<string, GemRequirement>();

function requirement(text: string): GemRequirement {
  let parsed = requirementCache.get(text);
  if (!parsed) {
    parsed = GemRequirement.parse(text);
    requirementCache.set(text, parsed);
  }
  return parsed;
}

function meetsAny(requirements: readonly string[], version: GemVersion): boolean {
  return requirements.some((text) => requirement(text).satisfiedBy(version));
}

/**
 * The matching rule: a locked version is affected when it meets one of `leaky_versions` (when the
 * advisory lists any), none of `patched_versions` and none of `unaffected_versions`, on a platform
 * the advisory applies to. bundler-leak skips the first condition and so flags versions that were
 * never leaky (redis 3.2.1 for an advisory on `= 3.2.2`).
 */
export function isAffected(advisory: Advisory, version: string | GemVersion, platform: string | null): boolean {
  if (!platformApplies(advisory.platform, platform)) return false;
  const parsed = typeof version === 'string' ? GemVersion.parse(version) : version;
  if (advisory.leakyVersions.length > 0 && !meetsAny(advisory.leakyVersions, parsed)) return false;
  return !meetsAny(advisory.patchedVersions, parsed) && !meetsAny(advisory.unaffectedVersions, parsed);
}

function isJavaPlatform(platform: string | null): boolean {
  return platform !== null && (platform === 'java' || platform.startsWith('universal-java'));
}

/**
 * `ruby`/`mri`: the leak is in the C extension, so every build but `-java` has it.
 * `jruby`/`java`: only `-java` builds. Anything else names a platform (prefix match, so
 * `x86_64-linux` covers `x86_64-linux-gnu`). No platform: every build.
 */
export function platformApplies(advisoryPlatform: string | null, specPlatform: string | null): boolean {
  if (advisoryPlatform === null) return true;
  const wanted = advisoryPlatform.toLowerCase();
  if (wanted === 'ruby' || wanted === 'mri') return !isJavaPlatform(specPlatform);
  if (wanted === 'jruby' || wanted === 'java') return isJavaPlatform(specPlatform);
  return specPlatform !== null && (specPlatform === wanted || specPlatform.startsWith(`${wanted}-`));
}
