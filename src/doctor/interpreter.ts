import { GemVersion, compareGemVersions, satisfiesRequirement } from '../versions/index.js';
import type { RubyVersionSource } from '../runtime/types.js';
import type { DoctorFinding, DoctorSeverity } from './types.js';

/**
 * The interpreter-advisory step: one detected Ruby against a list of interpreter advisories
 * (`rubies/<engine>/<id>.yml`, /work/notes ADVISORY-FIELDS). Pure; the loader lives with the
 * advisory database. Only the fields named here are read, so any advisory type that has them fits.
 */
export interface InterpreterAdvisoryLike {
  id: string;
  engine: string;
  title: string;
  url: string;
  leakyVersions: readonly string[];
  patchedVersions: readonly string[];
  unaffectedVersions: readonly string[];
  /** `{ condition: 'yjit', text: 'only with YJIT enabled' }`, or null when it always applies. */
  appliesWhen?: { condition: string; text: string } | null;
  /** When the memory grows: traffic (high), feature (medium), rare (low). */
  trigger?: 'traffic' | 'feature' | 'rare' | null;
}

/** Conditions the deployment shows: true (seen), false (looked, not seen), or absent (unknown). */
export interface RuntimeConditions {
  yjit?: boolean;
}

const SEVERITY_OF_TRIGGER: Record<string, DoctorSeverity> = { traffic: 'high', feature: 'medium', rare: 'low' };

export function isInterpreterAffected(version: string, advisory: InterpreterAdvisoryLike): boolean {
  if (advisory.patchedVersions.some((requirement) => satisfiesRequirement(version, requirement))) return false;
  if (advisory.unaffectedVersions.some((requirement) => satisfiesRequirement(version, requirement))) return false;
  return advisory.leakyVersions.length === 0 || advisory.leakyVersions.some((requirement) => satisfiesRequirement(version, requirement));
}

/** The lowest patched version above `version`, preferring its own release line (3.2.x → 3.2.4). */
export function minimumPatchedRuby(version: string, advisory: InterpreterAdvisoryLike): string | null {
  const current = GemVersion.parse(version);
  const candidates = advisory.patchedVersions
    .flatMap((requirement) => [...requirement.matchAll(/(?:~>|>=|=)\s*(\d+(?:\.\d+)*)/g)].map((match) => match[1]!))
    .filter((candidate) => compareGemVersions(candidate, current) > 0 && satisfiesAny(candidate, advisory.patchedVersions))
    .sort((a, b) => compareGemVersions(a, b));
  const line = version.split('.').slice(0, 2).join('.');
  return candidates.find((candidate) => candidate.startsWith(`${line}.`)) ?? candidates[0] ?? null;
}

function satisfiesAny(version: string, requirements: readonly string[]): boolean {
  return requirements.some((requirement) => satisfiesRequirement(version, requirement));
}

/** Where the Ruby was found: a version file (with its line), or a live process (no file). */
export type RubyInUse = Pick<RubyVersionSource, 'engine' | 'version'> & { file: string | null; line: number | null };

export function interpreterAdvisoryFindings(ruby: RubyInUse | null, advisories: readonly InterpreterAdvisoryLike[], conditions: RuntimeConditions = {}): DoctorFinding[] {
  if (ruby === null || ruby.version === null) return [];
  const version = ruby.version;
  const findings: DoctorFinding[] = [];
  for (const advisory of advisories) {
    if (advisory.engine !== ruby.engine || !isInterpreterAffected(version, advisory)) continue;
    const condition = advisory.appliesWhen ?? null;
    const conditionSeen = condition === null ? true : condition.condition === 'yjit' ? conditions.yjit : undefined;
    let severity = SEVERITY_OF_TRIGGER[advisory.trigger ?? ''] ?? 'medium';
    // A leak that needs YJIT, in an app whose files show no YJIT: still reported, one level down.
    if (conditionSeen === false && severity !== 'low') severity = severity === 'high' ? 'medium' : 'low';
    const target = minimumPatchedRuby(version, advisory);
    const when = condition === null ? '' : ` (${condition.text}${conditionSeen === true ? ': enabled here' : conditionSeen === false ? ': not seen in the deployment files' : ''})`;
    findings.push({
      rule: `interpreter/${advisory.engine}-${advisory.id}`,
      category: 'interpreter',
      severity,
      message: `Ruby ${version} has a known memory leak (${advisory.engine}-${advisory.id}): ${advisory.title.trim().replace(/\s+/g, ' ')}${when}`,
      file: ruby.file,
      line: ruby.line,
      fix: target === null ? null : ruby.file === null ? `# run Ruby ${target} or later` : `# set Ruby ${target} or later where ${ruby.file} names it, then:\nbundle update --ruby`,
      fixWhere: target === null ? 'no patched release is known' : ruby.file === null ? null : `${ruby.file}:${ruby.line}`,
      url: advisory.url,
    });
  }
  return findings;
}
