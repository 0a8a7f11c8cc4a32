import type { CheckResult, Finding } from '../audit/types.js';
import type { DatabaseSummary } from '../advisories/types.js';
import { ignoreKey } from '../advisories/types.js';
import { type Style, createStyle, plural } from './style.js';
import { isAffected } from '../audit/match.js';
import { compareGemVersions } from '../versions/index.js';
import { heapDiffFollowUp } from './follow-up.js';
import { forTerminal, terminalLine } from './escape.js';

export interface TextOptions {
  color: boolean;
  /** Adds each advisory's description. */
  verbose: boolean;
  /** Nothing at all when clean. */
  quiet: boolean;
  /** The folder name of the app, used as `--filter` in the heap-diff commands. */
  appName: string;
}

/** The human report of a check: each finding with its fix, then a summary; the way forward when clean. */
export function renderText(unsafe: CheckResult, options: TextOptions): string {
  // Titles, URLs, paths and reasons may hold terminal escapes or newlines: escaped once, here.
  const result = forTerminal(unsafe);
  const style = createStyle(options.color);
  const active = activeFindings(result);
  if (active.length === 0 && options.quiet) return '';
  const blocks: string[] = [];
  for (const finding of active) blocks.push(renderFinding(finding, style, options.verbose));
  const together = renderCombinedFixes(active, style);
  if (together) blocks.push(together);
  const suppressed = result.audits.flatMap((audit) => audit.findings.filter((finding) => finding.suppressed));
  if (suppressed.length > 0) blocks.push(renderSuppressed(suppressed, style));
  blocks.push(renderSummary(result, active.length, style));
  if (active.length === 0 && !options.quiet) blocks.push(heapDiffFollowUp(terminalLine(options.appName), style));
  return `${blocks.join('\n\n')}\n`;
}

export function activeFindings(result: CheckResult): Finding[] {
  return result.audits.flatMap((audit) => audit.findings.filter((finding) => !finding.suppressed));
}

function renderFinding(finding: Finding, style: Style, verbose: boolean): string {
  const { advisory, fix } = finding;
  const platforms = finding.platforms.length === 1 && finding.platforms[0] === 'ruby' ? '' : ` [${finding.platforms.join(', ')}]`;
  const lines = [
    `${style.bold(style.red(`${finding.gem} ${finding.version}`))}${platforms}  ${style.dim(`${finding.lockfile}:${finding.line}`)}`,
    `  ${style.bold(advisory.title.trim())}`,
    `  Advisory: ${ignoreKey(advisory)}  ${style.cyan(advisory.url)}`,
  ];
  if (advisory.leakyVersions.length > 0) lines.push(`  Leaky:    ${advisory.leakyVersions.join('; ')}`);
  lines.push(...renderFix(finding, style));
  if (verbose && advisory.description.trim() !== '') {
    lines.push('', ...advisory.description.trim().split('\n').map((line) => `  ${line}`));
  }
  return lines.join('\n');
}

function renderFix(finding: Finding, style: Style): string[] {
  const { fix } = finding;
  if (fix.patchedVersions.length === 0) return [`  Fix:      ${style.yellow('no fixed version is known')}; consider replacing the gem`];
  const patched = fix.patchedVersions.join('; ');
  const target = fix.minimumSafeVersion === null ? `a patched version (${patched})` : `${style.green(fix.minimumSafeVersion)} or later (patched: ${patched})`;
  return [`  Fix:      upgrade to ${target}`, `            ${fix.command}`];
}

/**
 * A gem version hit by several advisories: one upgrade that clears them all, when the largest of
 * their smallest safe versions is indeed outside every one of them (it usually is, but an advisory
 * on a later release line could still cover it).
 */
function renderCombinedFixes(findings: Finding[], style: Style): string | null {
  const byGem = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.lockfile}\0${finding.gem}\0${finding.version}`;
    byGem.set(key, [...(byGem.get(key) ?? []), finding]);
  }
  const lines: string[] = [];
  for (const group of byGem.values()) {
    if (group.length < 2) continue;
    const targets = group.map((finding) => finding.fix.minimumSafeVersion);
    if (targets.some((target) => target === null)) continue;
    const target = (targets as string[]).reduce((a, b) => (compareGemVersions(a, b) >= 0 ? a : b));
    const platform = group[0]!.platforms[0] === 'ruby' ? null : (group[0]!.platforms[0] ?? null);
    if (group.some((finding) => isAffected(finding.advisory, target, platform))) continue;
    const { gem, version } = group[0]!;
    lines.push(`  ${gem} ${version}: ${style.green(target)} fixes all ${group.length} known leaks: ${group[0]!.fix.command}`);
  }
  return lines.length === 0 ? null : [style.bold('One upgrade for several leaks:'), ...lines].join('\n');
}

function renderSuppressed(findings: Finding[], style: Style): string {
  const lines = findings.map((finding) => {
    const until = finding.suppressed?.until ? ` until ${finding.suppressed.until}` : '';
    return `  ${finding.gem} ${finding.version}  ${ignoreKey(finding.advisory)}: ${finding.suppressed?.reason ?? ''}${until}`;
  });
  return [style.dim(`Ignored (${findings.length}):`), ...lines.map(style.dim)].join('\n');
}

function renderSummary(result: CheckResult, active: number, style: Style): string {
  const gems = result.audits.reduce((sum, audit) => sum + audit.gemsChecked, 0);
  const where = result.audits.length === 1 ? (result.audits[0]?.lockfile ?? '') : plural(result.audits.length, 'lockfile');
  const headline = active === 0
    ? style.green(`No known memory leaks in ${where} (${plural(gems, 'gem')} checked against ${plural(result.advisoryCount, 'advisory', 'advisories')}).`)
    : style.red(`${plural(active, 'leaky gem version')} found in ${where} (${plural(gems, 'gem')} checked against ${plural(result.advisoryCount, 'advisory', 'advisories')}).`);
  return [headline, ...result.databases.map((database) => style.dim(describeDatabase(database)))].join('\n');
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
