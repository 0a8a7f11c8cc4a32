import { type InterpreterAdvisory, ignoreKey, severityOf } from '../advisories/types.js';
import type { MergedInterpreterAdvisory } from '../advisories/merge.js';
import { auditInterpreter, parseRubyVersion } from '../audit/interpreter.js';
import { compareGemVersions, satisfiesRequirement } from '../versions/index.js';
import type { RubyVersionSource } from '../runtime/types.js';
import type { DoctorFinding, DoctorSeverity } from './types.js';

/**
 * The interpreter-advisory step: the detected Ruby against the interpreter advisories of the
 * databases in use (`rubies/<engine>/<id>.yml`, matched by audit/interpreter.ts). Pure.
 */
export type InterpreterAdvisoryLike = InterpreterAdvisory | MergedInterpreterAdvisory;

/** Conditions the deployment shows: true (seen), false (looked, not seen), or absent (unknown). */
export interface RuntimeConditions {
  yjit?: boolean;
  /** Where YJIT is switched on (`config/initializers/enable_yjit.rb:5`), when seen. */
  yjitWhere?: string;
}

/** Where the Ruby was found: a version file (with its line), or a live process (no file). */
export type RubyInUse = Pick<RubyVersionSource, 'engine' | 'version'> & { file: string | null; line: number | null };

/** The lowest patched version above `version`, preferring its own release line (3.2.x → 3.2.4). */
export function minimumPatchedRuby(version: string, advisory: Pick<InterpreterAdvisory, 'patchedVersions'>): string | null {
  const candidates = advisory.patchedVersions
    .flatMap((requirement) => [...requirement.matchAll(/(?:~>|>=|=)\s*(\d+(?:\.\d+)*)/g)].map((match) => match[1]!))
    .filter((candidate) => compareGemVersions(candidate, version) > 0 && advisory.patchedVersions.some((requirement) => satisfiesRequirement(candidate, requirement)))
    .sort((a, b) => compareGemVersions(a, b));
  const line = version.split('.').slice(0, 2).join('.');
  return candidates.find((candidate) => candidate.startsWith(`${line}.`)) ?? candidates[0] ?? null;
}

export function interpreterAdvisoryFindings(ruby: RubyInUse | null, advisories: readonly InterpreterAdvisoryLike[], conditions: RuntimeConditions = {}): DoctorFinding[] {
  if (ruby === null || ruby.version === null || parseRubyVersion(ruby.version) === null) return [];
  const version = ruby.version;
  return auditInterpreter(ruby.engine, version, advisories).map(({ advisory, appliesWhen }) => {
    const conditionSeen = appliesWhen === null ? true : appliesWhen.condition === 'yjit' ? conditions.yjit : undefined;
    let severity: DoctorSeverity = severityOf(advisory);
    // A leak that needs YJIT, in an app whose files show no YJIT: still reported, one level down.
    if (conditionSeen === false && severity !== 'low') severity = severity === 'high' ? 'medium' : 'low';
    const target = minimumPatchedRuby(version, advisory);
    const seen =
      conditionSeen === true && appliesWhen !== null
        ? `: enabled${appliesWhen.condition === 'yjit' && conditions.yjitWhere ? ` at ${conditions.yjitWhere}` : ' here'}`
        : conditionSeen === false
          ? ': not seen in the deployment files'
          : '';
    const when = appliesWhen === null ? '' : ` (${appliesWhen.text}${seen})`;
    const key = ignoreKey(advisory);
    return {
      rule: `interpreter/${key}`,
      category: 'interpreter' as const,
      severity,
      message: `Ruby ${version} has a known memory leak (${key}): ${advisory.title.trim().replace(/\s+/g, ' ')}${when}`,
      file: ruby.file,
      line: ruby.line,
      fix: target === null ? null : ruby.file === null ? `# run Ruby ${target} or later` : `# set Ruby ${target} or later where ${ruby.file} names it, then:\nbundle update --ruby`,
      fixWhere: target === null ? 'no patched release is known' : ruby.file === null ? null : `${ruby.file}:${ruby.line}`,
      url: advisory.url,
    };
  });
}

/**
 * One Ruby that clears every interpreter leak found (the highest of their minimum fixed versions,
 * when it is patched for all of them), as a fact next to the findings; null when there is none or
 * only one finding.
 */
export function combinedRubyUpgrade(ruby: RubyInUse | null, advisories: readonly InterpreterAdvisoryLike[]): DoctorFinding | null {
  if (ruby === null || ruby.version === null || parseRubyVersion(ruby.version) === null) return null;
  const version = ruby.version;
  const matched = auditInterpreter(ruby.engine, version, advisories).map(({ advisory }) => advisory);
  if (matched.length < 2) return null;
  const targets = matched.map((advisory) => minimumPatchedRuby(version, advisory));
  if (targets.some((target) => target === null)) return null;
  const highest = (targets as string[]).sort(compareGemVersions).at(-1)!;
  if (!matched.every((advisory) => advisory.patchedVersions.some((requirement) => satisfiesRequirement(highest, requirement)))) return null;
  return {
    rule: 'interpreter/upgrade',
    category: 'interpreter',
    severity: 'info',
    file: ruby.file,
    line: ruby.line,
    message: `Ruby ${highest} or later fixes all ${matched.length} interpreter leaks found in ${version}`,
    fix: ruby.file === null ? `# run Ruby ${highest} or later` : `# set Ruby ${highest} or later where ${ruby.file} names it, then:\nbundle update --ruby`,
    fixWhere: ruby.file === null ? null : `${ruby.file}:${ruby.line}`,
    url: null,
  };
}
