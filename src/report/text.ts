import type { CheckResult, Finding, GemUpgrade } from '../audit/types.js';
import { ignoreKey } from '../advisories/types.js';
import { type Style, createStyle, plural } from './style.js';
import { activeFindings, withoutGemLists, blockerSentences, checkedSentence, countsSentence, databasesLine, describeDatabase, leakyText, safeVersionsText, writtenAt } from './describe.js';
import { heapDiffFollowUp } from './follow-up.js';
import { forTerminal, terminalLine } from './escape.js';

export interface TextOptions {
  color: boolean;
  /** Adds each advisory's description and every database's details. */
  verbose: boolean;
  /** Nothing at all when clean. */
  quiet: boolean;
  /** The folder name of the app, used as `--filter` in the heap-diff commands. */
  appName: string;
}

/**
 * The human report of a check: each leaky gem version once, with its advisories under it and the one
 * upgrade that clears them all; the lockfiles checked; a summary; the way forward when clean.
 */
export function renderText(unsafe: CheckResult, options: TextOptions): string {
  // Titles, URLs, paths and reasons may hold terminal escapes or newlines: escaped once, here.
  const result = forTerminal(withoutGemLists(unsafe));
  const style = createStyle(options.color);
  const active = activeFindings(result);
  if (active.length === 0 && options.quiet) return '';
  const blocks: string[] = [];
  for (const upgrade of result.summary.upgrades) {
    const findings = active.filter((finding) => finding.lockfile === upgrade.lockfile && finding.gem === upgrade.gem && finding.version === upgrade.version);
    blocks.push(renderGemVersion(upgrade, findings, style, options.verbose));
  }
  const suppressed = result.audits.flatMap((audit) => audit.findings.filter((finding) => finding.suppressed));
  if (suppressed.length > 0) blocks.push(renderSuppressed(suppressed, style));
  if (result.audits.length > 1) blocks.push(renderLockfiles(result, style));
  blocks.push(renderSummary(result, style, options.verbose));
  if (active.length === 0 && !options.quiet) blocks.push(heapDiffFollowUp(terminalLine(options.appName), style));
  return `${blocks.join('\n\n')}\n`;
}

function renderGemVersion(upgrade: GemUpgrade, findings: readonly Finding[], style: Style, verbose: boolean): string {
  const first = findings[0]!;
  const platforms = first.platforms.length === 1 && first.platforms[0] === 'ruby' ? '' : ` [${first.platforms.join(', ')}]`;
  const lines = [`${style.bold(style.red(`${upgrade.gem} ${upgrade.version}`))}${platforms}  ${style.dim(writtenAt(findings[0] ?? upgrade))}  ${plural(findings.length, 'known leak')}`];
  for (const finding of findings) {
    const { advisory } = finding;
    lines.push(`  ${style.bold(ignoreKey(advisory))}  ${severityLabel(finding, style)}  ${advisory.title.trim()}`, `    ${style.cyan(advisory.url)}`, `    Leaky: ${leakyText(finding)}`);
    if (finding.interpreter?.appliesWhen) lines.push(`    Only: ${finding.interpreter.appliesWhen}`);
    for (const correction of finding.corrections ?? [])
      lines.push(`    ${style.dim(`Range corrected by gemleak's database (${correction.source} says otherwise): ${correction.reason} ${correction.evidence}`)}`);
    if (verbose && (finding.sources ?? []).length > 0)
      lines.push(`    ${style.dim(`Flagged by: ${(finding.sources ?? []).join(', ')}${finding.textSource ? `; text from ${finding.textSource}` : ''}`)}`);
    if (verbose && advisory.description.trim() !== '')
      lines.push(
        ...advisory.description
          .trim()
          .split('\n')
          .map((line) => `    ${line}`),
      );
  }
  lines.push(...renderFix(upgrade, style));
  return lines.join('\n');
}

/** `high` in red, `medium` in yellow, `low` dim: how much the leak matters (when memory grows). */
function severityLabel(finding: Finding, style: Style): string {
  const label = `[${finding.severity}]`;
  return finding.severity === 'high' ? style.red(label) : finding.severity === 'medium' ? style.yellow(label) : style.dim(label);
}

function renderFix(upgrade: GemUpgrade, style: Style): string[] {
  const { fix } = upgrade;
  if (fix.safeVersions.length === 0) return [`  Fix:  ${style.yellow('no fixed version is known')}; consider replacing the gem`];
  const safe = safeVersionsText(fix);
  const target = fix.minimumSafeVersion === null ? `a safe version (${safe})` : `${style.green(fix.minimumSafeVersion)} (safe: ${safe})`;
  const all = upgrade.advisories.length > 1 ? ', which fixes all of these' : '';
  const lines = [`  Fix:  upgrade to ${target}${all}`];
  for (const blocker of blockerSentences(upgrade)) lines.push(`        ${style.yellow('first:')} ${blocker}`);
  lines.push(`        ${fix.runnable}`);
  return lines;
}

function renderSuppressed(findings: Finding[], style: Style): string {
  const lines = findings.map((finding) => {
    const until = finding.suppressed?.until ? ` until ${finding.suppressed.until}` : '';
    return `  ${finding.gem} ${finding.version}  ${ignoreKey(finding.advisory)}: ${finding.suppressed?.reason ?? ''}${until}`;
  });
  return [style.dim(`Ignored (${findings.length}):`), ...lines.map(style.dim)].join('\n');
}

/** One line per lockfile checked, clean ones included. */
function renderLockfiles(result: CheckResult, style: Style): string {
  const lines = result.audits.map((audit) => {
    const leaks = audit.findings.filter((finding) => !finding.suppressed).length;
    const state = leaks === 0 ? style.green('clean') : style.red(plural(leaks, 'known leak'));
    return `  ${audit.lockfile}  ${state}  ${style.dim(`(${plural(audit.gemsChecked, 'gem')})`)}`;
  });
  return [style.bold('Lockfiles checked:'), ...lines].join('\n');
}

function renderSummary(result: CheckResult, style: Style, verbose: boolean): string {
  const { summary } = result;
  const where = result.audits.length === 1 ? (result.audits[0]?.lockfile ?? '') : plural(result.audits.length, 'lockfile');
  const headline =
    summary.leaks === 0 ? style.green(`No known memory leaks in ${where} (${checkedSentence(summary)}).`) : style.red(`${countsSentence(summary)}: ${where} (${checkedSentence(summary)}).`);
  const databases = verbose ? result.databases.map((database) => style.dim(describeDatabase(database))) : [style.dim(databasesLine(result.databases))];
  return [headline, ...databases, ...unknownRuby(result, style)].join('\n');
}

/** Said once: the lockfiles whose Ruby is not written anywhere gemleak looks, so the interpreter was not checked. */
function unknownRuby(result: CheckResult, style: Style): string[] {
  const unknown = result.audits.filter((audit) => audit.ruby === null);
  if (unknown.length === 0) return [];
  const which = unknown.length === result.audits.length ? (result.audits.length === 1 ? 'this app' : 'these apps') : plural(unknown.length, 'lockfile');
  return [style.dim(`Ruby version of ${which} not known (no RUBY VERSION, .ruby-version, .tool-versions, mise.toml, Gemfile ruby line or Dockerfile): interpreter leaks not checked`)];
}
