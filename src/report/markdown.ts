import { ignoreKey } from '../advisories/types.js';
import type { CheckResult, Finding } from '../audit/types.js';
import { allFindings, oneLine, sortFindings, suppressionText } from './describe.js';
import { plural } from './style.js';
import { safeHttpUrl, terminalLine } from './escape.js';
import type { ReportContext } from './index.js';
import { activeFindings, blockerSentences, countsSentence, databasesLine, safeVersionsText, whereWritten } from './describe.js';

/**
 * GitHub-flavoured Markdown for pull-request comments and job summaries (`$GITHUB_STEP_SUMMARY`):
 * a headline, a table of the findings that fail the run, the ignored ones folded away, warnings,
 * and a footer saying what was checked against what.
 */
export function renderMarkdown(result: CheckResult, context: ReportContext): string {
  const findings = allFindings(result);
  const active = sortFindings(activeFindings(result));
  const ignored = sortFindings(findings.filter((finding) => finding.suppressed));
  const where = result.audits.length === 1 ? code(context.repoPath(result.audits[0]?.lockfile ?? '')) : plural(result.audits.length, 'lockfile');
  const blocks: string[] = [];
  blocks.push(
    active.length === 0 ? `### :white_check_mark: gemleak: no known memory leaks in ${where}` : `### :x: gemleak: ${countsSentence(result.summary)}${result.audits.length === 1 ? ` in ${where}` : ''}`,
  );
  if (active.length > 0) {
    blocks.push(
      table(
        ['Gem', 'Lockfile', 'Advisory', 'Fix'],
        active.map((finding) => [
          `**${cell(finding.gem)}** ${cell(finding.version)}${platforms(finding)}`,
          code(`${context.repoPath(whereWritten(finding).file)}:${whereWritten(finding).line}`),
          `${advisoryLink(finding)} (${finding.severity}): ${cell(oneLine(finding.advisory.title))}`,
          fixCell(finding),
        ]),
      ),
    );
  }
  if (ignored.length > 0) {
    blocks.push(
      [
        `<details><summary>Ignored (${ignored.length})</summary>`,
        '',
        table(
          ['Gem', 'Lockfile', 'Advisory', 'Reason'],
          ignored.map((finding) => [
            `${cell(finding.gem)} ${cell(finding.version)}`,
            code(`${context.repoPath(whereWritten(finding).file)}:${whereWritten(finding).line}`),
            advisoryLink(finding),
            cell(suppressionText(finding)),
          ]),
        ),
        '',
        '</details>',
      ].join('\n'),
    );
  }
  if (result.warnings.length > 0) {
    blocks.push(
      [
        '**Warnings**',
        '',
        ...result.warnings.map((warning) => {
          const at = warning.file === undefined ? '' : `${code(`${context.repoPath(warning.file)}${warning.line === undefined ? '' : `:${warning.line}`}`)}: `;
          return `- ${at}${cell(warning.message)}`;
        }),
      ].join('\n'),
    );
  }
  const footer = [
    `${plural(result.summary.gemsChecked, 'gem')} checked in ${plural(result.audits.length, 'lockfile')} against ${plural(result.summary.advisories, 'advisory', 'advisories')}`,
    cell(databasesLine(result.databases)),
    `gemleak ${cell(result.gemleakVersion)}`,
  ];
  blocks.push(`<sub>${footer.join(' · ')}</sub>`);
  return `${blocks.join('\n\n')}\n`;
}

function fixCell(finding: Finding): string {
  const { fix } = finding;
  if (fix.safeVersions.length === 0) return 'no fixed version is known; consider replacing the gem';
  const safe = cell(safeVersionsText(fix));
  const target = fix.minimumSafeVersion === null ? `a safe version (${safe})` : `${cell(fix.minimumSafeVersion)} (safe: ${safe})`;
  const first = blockerSentences(finding)
    .map((blocker) => `first: ${cell(blocker)}; then `)
    .join('');
  return `${first}upgrade to ${target}: ${code(fix.runnable)}`;
}

function platforms(finding: Finding): string {
  return finding.platforms.length === 1 && finding.platforms[0] === 'ruby' ? '' : ` (${cell(finding.platforms.join(', '))})`;
}

function advisoryLink(finding: Finding): string {
  const id = ignoreKey(finding.advisory);
  // http(s) only, percent-encoded: no space, parenthesis, bracket, backtick or pipe is left to end the destination.
  const url = safeHttpUrl(finding.advisory.url);
  return url === null ? cell(id) : `[${cell(id)}](${url})`;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Text safe inside a table cell: one line, no column breaks, no HTML, no stray emphasis. */
export function cell(text: string): string {
  return terminalLine(oneLine(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}

/**
 * An inline code span that survives backticks and pipes in the text: its fence is one backtick
 * longer than the longest run inside (CommonMark), padded with spaces when the text touches a
 * backtick. Pipes are escaped for GFM tables, which read `\|` as `|` even in code.
 */
export function code(text: string): string {
  const line = terminalLine(oneLine(text)).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `${fence}${line}${fence}` : `${fence} ${line} ${fence}`;
}
