import { type DatabaseSummary, ignoreKey } from '../advisories/types.js';
import type { CheckResult, CheckSummary, Finding, Fix, FixBlocker, RunWarning } from '../audit/types.js';
import { plural } from './style.js';

/** Sentences and helpers shared by every check format, so they say the same thing the same way. */

/** Where a finding is written: its spec line in the lockfile, or for a Ruby interpreter leak the line that names the Ruby version. */
export function whereWritten(finding: Pick<Finding, 'lockfile' | 'line' | 'interpreter'>): { file: string; line: number } {
  return finding.interpreter ? { file: finding.interpreter.source.file, line: finding.interpreter.source.line } : { file: finding.lockfile, line: finding.line };
}

/** `file:line` of `whereWritten`. */
export function writtenAt(finding: Pick<Finding, 'lockfile' | 'line' | 'interpreter'>): string {
  const at = whereWritten(finding);
  return `${at.file}:${at.line}`;
}

/** The findings that fail the run: not ignored. */
/**
 * The result without the list of every gem checked, which only JUnit prints: the other reports escape
 * what they print, and a 700-gem list is most of the strings there are.
 */
export function withoutGemLists(result: CheckResult): CheckResult {
  return { ...result, audits: result.audits.map(({ gems: _everyGem, ...audit }) => audit) };
}

export function activeFindings(result: CheckResult): Finding[] {
  return result.audits.flatMap((audit) => audit.findings.filter((finding) => !finding.suppressed));
}

/** `3 known leaks in 2 gem versions (1 of 2 lockfiles affected)`; the same numbers in every format. */
export function countsSentence(summary: CheckSummary): string {
  const lockfiles = summary.lockfiles === 1 ? '' : ` (${summary.affectedLockfiles} of ${summary.lockfiles} lockfiles affected)`;
  return `${plural(summary.leaks, 'known leak')} in ${plural(summary.gemVersions, 'gem version')}${lockfiles}`;
}

/** `1,234 gems checked against 48 advisories`. */
export function checkedSentence(summary: CheckSummary): string {
  return `${plural(summary.gemsChecked, 'gem')} checked against ${plural(summary.advisories, 'advisory', 'advisories')}`;
}

/** `Database: bundled, 48 advisories (/path/advisories)` plus sync details when synced. */
export function describeDatabase(database: DatabaseSummary): string {
  const details = [plural(database.advisories, 'advisory', 'advisories')];
  if (database.commit) details.push(`last change ${database.commitDate ?? '?'} (${database.commit})`);
  if (database.syncedAt) details.push(`synced ${database.syncedAt.slice(0, 10)}`);
  if (database.url) details.push(`from ${database.url}`);
  // A .gemleak.toml [[database]] entry's name tells its databases apart (several can be synced).
  const name = database.name ? ` ${database.name}` : '';
  return `Database: ${database.kind}${name}, ${details.join(', ')} (${database.path})`;
}

/** All databases on one line: `Databases: bundled (48) + synced (14, synced 2026-12-01)`. */
export function databasesLine(databases: readonly DatabaseSummary[]): string {
  const parts = databases.map((database) => {
    const details = [String(database.advisories)];
    if (database.syncedAt) details.push(`synced ${database.syncedAt.slice(0, 10)}`);
    return `${database.name ?? database.kind} (${details.join(', ')})`;
  });
  return `${databases.length === 1 ? 'Database' : 'Databases'}: ${parts.join(' + ')}`;
}

/** `3.3.1, or 3.9 and later`: the safe versions above the locked one, in words. */
export function safeVersionsText(fix: Fix): string {
  return fix.safeVersions.map(describeRequirement).join(', or ');
}

function describeRequirement(requirement: string): string {
  const exact = /^= (\S+)$/.exec(requirement);
  if (exact) return exact[1]!;
  const from = /^>= (\S+)$/.exec(requirement);
  if (from) return `${from[1]} and later`;
  const between = /^>= (\S+), < (\S+)$/.exec(requirement);
  if (between) return `${between[1]} up to (not including) ${between[2]}`;
  return requirement;
}

/** `the Gemfile requires json (~> 1.8)`, `rails 7.0.1 requires actionpack (= 7.0.1)`. */
export function blockerSentences(finding: Pick<Finding, 'gem' | 'fix'>): string[] {
  return finding.fix.blockers.map((blocker) => blockerSentence(finding, blocker));
}

function blockerSentence(finding: Pick<Finding, 'gem' | 'fix'>, blocker: FixBlocker): string {
  const excludes = `which excludes ${finding.fix.minimumSafeVersion}`;
  if (blocker.kind === 'gem') return `${blocker.gem} requires ${finding.gem} (${blocker.requirement}), ${excludes}: it has to move too`;
  // A Gemfile pin on a gem that has to move with it (`gem "rails", "4.2.6"`), or on the gem itself.
  if (blocker.gem !== null) return `the Gemfile pins ${blocker.gem.split(' ')[0]} (${blocker.requirement}), which has to move too: change that requirement in the Gemfile first`;
  return `the Gemfile requires ${finding.gem} (${blocker.requirement}), ${excludes}: change that requirement in the Gemfile first`;
}

/** `Leaky versions: >= 3.0, < 3.9.`, or for an advisory with no known start `Leaky: all versions before 2.7.2 (start not established).` */
export function leakyText(finding: Pick<Finding, 'advisory'>): string {
  const { advisory } = finding;
  if (advisory.leakyVersions.length > 0) return advisory.leakyVersions.join('; ');
  const firstFixes = advisory.patchedVersions.map((text) => /^(?:>=|~>|=)\s*(\S+)/.exec(text)?.[1]).filter((v): v is string => v !== undefined);
  if (firstFixes.length === 0) return 'all versions (no fixed release; start not established)';
  return `all versions before ${firstFixes.join(' / ')} (start not established)`;
}

/** `redis 3.3.0 has a known memory leak (redis-612): Timeout threads pile up.` */
export function findingHeadline(finding: Finding): string {
  const title = oneLine(finding.advisory.title);
  return `${finding.gem} ${finding.version} has a known memory leak (${ignoreKey(finding.advisory)})${title === '' ? '.' : `: ${withStop(title)}`}`;
}

/**
 * `Upgrade to 3.3.1 (safe: 3.3.1, or 3.9 and later): cd -- apps/api && bundle update redis.`
 * Safe means no known leak of the gem at all, so the upgrade never walks into another one.
 */
export function fixSentence(finding: Pick<Finding, 'gem' | 'fix'>): string {
  const { fix } = finding;
  if (fix.safeVersions.length === 0) return 'No fixed version is known; consider replacing the gem.';
  const safe = safeVersionsText(fix);
  const blockers = blockerSentences(finding);
  const first = blockers.length === 0 ? '' : `First: ${blockers.join('; ')}. Then: `;
  if (fix.minimumSafeVersion !== null) return `${first}Upgrade to ${fix.minimumSafeVersion} (safe: ${safe}): ${fix.runnable}.`;
  return `${first}Upgrade to a safe version (${safe}): ${fix.runnable}.`;
}

/** `Leaky versions: = 3.2.2; = 3.3.0.` or `Leaky: all versions before 2.7.2 (start not established).` */
export function leakySentence(finding: Pick<Finding, 'advisory'>): string {
  return `Leaky versions: ${leakyText(finding)}.`;
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
  return [...findings].sort((a, b) => compareText(a.lockfile, b.lockfile) || a.line - b.line || compareText(ignoreKey(a.advisory), ignoreKey(b.advisory)));
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
