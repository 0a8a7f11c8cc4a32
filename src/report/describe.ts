import { ignoreKey } from '../advisories/types.js';
import type { CheckResult, Finding, RunWarning } from '../audit/types.js';

/** Sentences about a finding shared by the CI formats (SARIF, GitHub annotations, Markdown, JUnit). */

/** `redis 3.3.0 has a known memory leak (redis-612): Timeout threads pile up.` */
export function findingHeadline(finding: Finding): string {
  const title = oneLine(finding.advisory.title);
  return `${finding.gem} ${finding.version} has a known memory leak (${ignoreKey(finding.advisory)})${title === '' ? '.' : `: ${withStop(title)}`}`;
}

/** `Upgrade to 3.3.1 or later: bundle update redis --conservative.` */
export function fixSentence(finding: Finding): string {
  const { fix } = finding;
  if (fix.patchedVersions.length === 0) return 'No fixed version is known; consider replacing the gem.';
  if (fix.minimumSafeVersion !== null) return `Upgrade to ${fix.minimumSafeVersion} or later: ${fix.command}.`;
  return `Upgrade to a patched version (${fix.patchedVersions.join('; ')}): ${fix.command}.`;
}

/** `Leaky versions: = 3.2.2; = 3.3.0.` or '' */
export function leakySentence(finding: Finding): string {
  const leaky = finding.advisory.leakyVersions;
  return leaky.length === 0 ? '' : `Leaky versions: ${leaky.join('; ')}.`;
}

/** `Platforms: ruby, java.` when the gem is locked for more than the plain Ruby platform, else ''. */
export function platformSentence(finding: Finding): string {
  return finding.platforms.length === 1 && finding.platforms[0] === 'ruby' ? '' : `Platforms: ${finding.platforms.join(', ')}.`;
}

/** The text of a spec line from its first column of content: `redis (3.3.0)` or `oj (0.9-java)`. */
export function specText(finding: Finding): string {
  const platform = finding.platforms[0];
  return `${finding.gem} (${finding.version}${platform === undefined || platform === 'ruby' ? '' : `-${platform}`})`;
}

export function allFindings(result: CheckResult): Finding[] {
  return result.audits.flatMap((audit) => audit.findings);
}

/** Findings in report order: by lockfile, then line, then advisory id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => compareText(a.lockfile, b.lockfile) || a.line - b.line || compareText(ignoreKey(a.advisory), ignoreKey(b.advisory)),
  );
}

/** `ignored: reason (until 2025-06-30)` */
export function suppressionText(finding: Finding): string {
  const suppressed = finding.suppressed;
  if (!suppressed) return '';
  return `${oneLine(suppressed.reason)}${suppressed.until ? ` (until ${suppressed.until})` : ''}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function withStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A run warning as one line: `file:line: message` (file and line when known). */
export function describeWarning(warning: RunWarning): string {
  if (warning.file === undefined) return warning.message;
  return warning.line === undefined ? `${warning.file}: ${warning.message}` : `${warning.file}:${warning.line}: ${warning.message}`;
}
