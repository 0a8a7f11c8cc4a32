import type { CheckResult, Finding } from '../audit/types.js';
import { ignoreKey } from '../advisories/types.js';
import { type Style, createStyle, plural } from './style.js';
import { activeFindings, withoutGemLists, blockerSentences, safeVersionsText, writtenAt } from './describe.js';
import { forTerminal } from './escape.js';

export interface CompactOptions {
  color: boolean;
  /** Nothing at all when clean. */
  quiet: boolean;
}

/**
 * The report of `gemleak check --staged`, read in the middle of a `git commit`: two lines per
 * finding (gem, version, where, advisory; then the fix), how to accept a finding on purpose and how
 * to bypass the hook once. One line when clean. Never the heap-diff follow-up: a commit is not the
 * moment for it.
 */
export function renderCompact(unsafe: CheckResult, options: Pick<CompactOptions, 'color' | 'quiet'>): string {
  // Paths, titles and reasons may hold terminal escapes; the fix command is already shell-quoted
  // with visible escapes for bytes a terminal would act on (src/shell.ts).
  const result = forTerminal(withoutGemLists(unsafe));
  const style = createStyle(options.color);
  const active = activeFindings(result);
  const suppressed = result.audits.flatMap((audit) => audit.findings.filter((finding) => finding.suppressed));
  const gems = result.audits.reduce((sum, audit) => sum + audit.gemsChecked, 0);
  const where = result.audits.length === 1 ? `the staged ${result.audits[0]?.lockfile ?? 'lockfile'}` : `${plural(result.audits.length, 'staged lockfile')}`;
  const ignored = suppressed.length === 0 ? '' : `; ${suppressed.length} ignored: ${unique(suppressed.map((finding) => ignoreKey(finding.advisory))).join(', ')}`;
  if (active.length === 0) {
    if (options.quiet) return '';
    return `${style.green(`gemleak: no known memory leaks in ${where}`)} ${style.dim(`(${plural(gems, 'gem')} checked${ignored})`)}\n`;
  }
  const lines = [
    style.red(style.bold(`gemleak: ${where} ${result.audits.length === 1 ? 'locks' : 'lock'} ${plural(active.length, 'gem version')} with a known memory leak:`)),
    '',
    ...active.flatMap((finding) => renderFinding(finding, style)),
    '',
    ...howToProceed(active, style),
  ];
  if (ignored !== '') lines.push(style.dim(`(${plural(gems, 'gem')} checked${ignored})`));
  return `${lines.join('\n')}\n`;
}

function renderFinding(finding: Finding, style: Style): string[] {
  const platforms = finding.platforms.length === 1 && finding.platforms[0] === 'ruby' ? '' : ` [${finding.platforms.join(', ')}]`;
  return [
    `  ${style.bold(style.red(`${finding.gem} ${finding.version}`))}${platforms}  ${style.dim(writtenAt(finding))}  ${ignoreKey(finding.advisory)}: ${finding.advisory.title.trim()}`,
    `    ${renderFix(finding, style)}`,
  ];
}

function renderFix(finding: Finding, style: Style): string {
  const { fix } = finding;
  if (fix.safeVersions.length === 0) return `fix: ${style.yellow('no fixed version is known')}; consider replacing the gem (${finding.advisory.url})`;
  const target = fix.minimumSafeVersion === null ? `a safe version (${safeVersionsText(fix)})` : `${style.green(fix.minimumSafeVersion)} (safe: ${safeVersionsText(fix)})`;
  const first = blockerSentences(finding)
    .map((blocker) => `first: ${blocker}; then `)
    .join('');
  return `fix: ${first}upgrade to ${target}: ${fix.runnable}`;
}

function howToProceed(active: Finding[], style: Style): string[] {
  const first = active[0];
  const id = first === undefined ? '<gem>-<id>' : ignoreKey(first.advisory);
  return [
    // A hook takes no flags through git, so the config file is the way to accept a finding here.
    `To accept a finding on purpose, add it to .gemleak.toml at the top of the repository:`,
    style.dim('  [[ignore]]'),
    style.dim(`  id = "${id}"`),
    style.dim('  reason = "why this leak does not matter here"'),
    `To commit anyway, just this once: ${style.bold('git commit --no-verify')}`,
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
