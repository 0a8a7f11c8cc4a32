import { GemRequirement, GemVersion } from '../versions/index.js';
import type { AdvisoryBase } from './types.js';

type Ranges = Pick<AdvisoryBase, 'leakyVersions' | 'patchedVersions' | 'unaffectedVersions'>;

const requirementCache = new Map<string, GemRequirement>();

/** Requirements are parsed once: a check matches the same few strings against many versions. */
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
 * The range rule, for gems and interpreters alike: a version is in range when it meets one of
 * `leaky_versions` (when the advisory lists any), none of `patched_versions` and none of
 * `unaffected_versions`. bundler-leak skips the first condition and so flags versions that were never
 * leaky (redis 3.2.1 for an advisory on `= 3.2.2`). A withdrawn advisory has no version in range.
 */
export function inLeakyRange(ranges: Ranges & Pick<AdvisoryBase, 'withdrawn'>, version: GemVersion): boolean {
  if (ranges.withdrawn) return false;
  if (ranges.leakyVersions.length > 0 && !meetsAny(ranges.leakyVersions, version)) return false;
  return !meetsAny(ranges.patchedVersions, version) && !meetsAny(ranges.unaffectedVersions, version);
}

/** True when some leaky requirement bounds the range from below (`>= 1.2`, `= 1.2`, `~> 1.2`): the leak has a known start. */
export function hasLowerBound(leakyVersions: readonly string[]): boolean {
  return leakyVersions.some((text) => requirement(text).constraints.some(({ operator }) => operator === '>=' || operator === '>' || operator === '=' || operator === '~>'));
}

/** True when the version meets one of the requirements. */
export function meetsOne(requirements: readonly string[], version: GemVersion): boolean {
  return meetsAny(requirements, version);
}

/** A range problem and the key whose requirements cause it. */
export interface RangeProblem {
  key: 'leaky_versions' | 'patched_versions' | 'unaffected_versions';
  message: string;
}

/**
 * The truth of a requirement can only change at the versions it names, so the versions named in an
 * advisory, with one just below and one just above each (and each `~>` bound), stand for every
 * stretch of the version line: checking them is checking all versions.
 */
function representativeVersions(requirements: GemRequirement[]): GemVersion[] {
  const texts = new Set(['0', '999999999']);
  for (const requirement of requirements) {
    for (const { operator, version } of requirement.constraints) {
      const bounds = operator === '~>' ? [version, version.bump()] : [version];
      for (const bound of bounds) {
        const text = bound.toString();
        // `1.2.a` is the smallest 1.2 prerelease, just below 1.2; `1.2.0.0.0.0.1` is just above it.
        texts.add(text).add(`${text}.a`).add(`${text}.0.0.0.0.1`);
      }
    }
  }
  return [...texts].map((text) => GemVersion.parse(text)).sort((a, b) => a.compare(b));
}

/**
 * What `db lint` finds wrong with an advisory's ranges: no version is affected at all (the advisory
 * can never match), or some version is both leaky and patched, or both leaky and unaffected.
 */
export function rangeProblems(advisory: Ranges): RangeProblem[] {
  const leaky = advisory.leakyVersions.map((text) => GemRequirement.parse(text));
  const patched = advisory.patchedVersions.map((text) => GemRequirement.parse(text));
  const unaffected = advisory.unaffectedVersions.map((text) => GemRequirement.parse(text));
  const meets = (list: GemRequirement[], version: GemVersion) => list.some((requirement) => requirement.satisfiedBy(version));
  const versions = representativeVersions([...leaky, ...patched, ...unaffected]);
  const problems: RangeProblem[] = [];
  const leakyAndPatched = versions.find((v) => meets(leaky, v) && meets(patched, v));
  if (leakyAndPatched) problems.push({ key: 'patched_versions', message: `${leakyAndPatched} is both leaky and patched` });
  const leakyAndUnaffected = versions.find((v) => meets(leaky, v) && meets(unaffected, v));
  if (leakyAndUnaffected) problems.push({ key: 'unaffected_versions', message: `${leakyAndUnaffected} is both leaky and unaffected` });
  const affected = versions.some((v) => (leaky.length === 0 || meets(leaky, v)) && !meets(patched, v) && !meets(unaffected, v));
  if (!affected) {
    problems.push({
      key: leaky.length > 0 ? 'leaky_versions' : 'patched_versions',
      message: 'no version is affected: every version the advisory calls leaky is also patched or unaffected',
    });
  }
  return problems;
}
