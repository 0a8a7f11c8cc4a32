import type { CheckResult } from '../audit/types.js';
import { checkedSentence, countsSentence } from './describe.js';
import { createStyle } from './style.js';
import type { ReportContext } from './index.js';

/**
 * `--format table`: one row per leaky gem version (gem, version, lockfile:line, advisories, fix),
 * for checks over many lockfiles where the text report runs to hundreds of lines.
 */
export function renderTable(result: CheckResult, context: Pick<ReportContext, 'color' | 'quiet'>): string {
  const style = createStyle(context.color);
  const { summary } = result;
  if (summary.leaks === 0) {
    return context.quiet
      ? ''
      : `${style.green(`No known memory leaks in ${result.audits.length === 1 ? result.audits[0]?.lockfile : `${result.audits.length} lockfiles`} (${checkedSentence(summary)}).`)}\n`;
  }
  const header = ['GEM', 'VERSION', 'LOCKFILE', 'SEVERITY', 'ADVISORIES', 'FIX'];
  const rows = summary.upgrades.map((upgrade) => [
    upgrade.gem,
    upgrade.version,
    upgrade.gem === 'ruby' ? upgrade.lockfile : `${upgrade.lockfile}:${upgrade.line}`,
    upgrade.severity,
    upgrade.advisories.join(','),
    upgrade.fix.minimumSafeVersion === null
      ? upgrade.fix.safeVersions.length === 0
        ? 'no fix known'
        : upgrade.fix.safeVersions.join(' or ')
      : `>= ${upgrade.fix.minimumSafeVersion}${upgrade.fix.blockers.length > 0 ? ' (Gemfile/deps pin it)' : ''}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((value, column) => (column === cells.length - 1 ? value : value.padEnd(widths[column]!))).join('  ');
  return `${[style.bold(line(header)), ...rows.map(line), '', style.red(`${countsSentence(summary)} (${checkedSentence(summary)}).`)].join('\n')}\n`;
}
