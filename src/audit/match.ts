import { GemVersion } from '../versions/index.js';
import { inLeakyRange } from '../advisories/ranges.js';
import type { Advisory, AdvisoryBase } from '../advisories/types.js';
import type { AdvisorySource, AdvisoryCopy, Merged } from '../advisories/merge.js';

/** The range rule (src/advisories/ranges.ts), shared by gems and interpreters. */
export { inLeakyRange };

/** The copies a match is decided on: a merged advisory's (src/advisories/merge.ts), else the advisory itself. */
export function matchingCopies<T extends AdvisoryBase>(advisory: T | Merged<T>): readonly { advisory: T; source: AdvisorySource | null }[] {
  const copies = (advisory as Partial<Merged<T>>).copies;
  return Array.isArray(copies) ? (copies as AdvisoryCopy<T>[]) : [{ advisory, source: null }];
}

/**
 * The matching rule: a locked version is affected when it is in the leaky range (inLeakyRange), on a
 * platform the advisory applies to. For a merged advisory: when any of its copies says so.
 */
export function isAffected(advisory: Advisory | Merged<Advisory>, version: string | GemVersion, platform: string | null): boolean {
  const parsed = typeof version === 'string' ? GemVersion.parse(version) : version;
  return matchingCopies(advisory).some((copy) => copyAffects(copy.advisory, parsed, platform));
}

/**
 * The databases whose copy of a merged advisory flags this version, in merge order: what a report
 * names as the finding's sources. Empty when none does; for an advisory that was not merged, empty too.
 */
export function flaggedBy(advisory: Advisory | Merged<Advisory>, version: string | GemVersion, platform: string | null): AdvisorySource[] {
  const parsed = typeof version === 'string' ? GemVersion.parse(version) : version;
  return matchingCopies(advisory).flatMap((copy) => (copy.source !== null && copyAffects(copy.advisory, parsed, platform) ? [copy.source] : []));
}

function copyAffects(advisory: Advisory, version: GemVersion, platform: string | null): boolean {
  return platformApplies(advisory.platform, platform) && inLeakyRange(advisory, version);
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
