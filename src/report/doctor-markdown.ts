import type { DoctorResult } from '../doctor/types.js';
import { type DoctorReportContext, counts, location } from './doctor-format.js';
import { cell, code } from './markdown.js';

const ICON = { high: ':red_circle: high', medium: ':orange_circle: medium', low: ':yellow_circle: low', info: ':information_source: info' } as const;

/** GitHub-flavoured Markdown (pull-request comments, job summaries). */
export function renderDoctorMarkdown(result: DoctorResult, context: DoctorReportContext): string {
  const tally = counts(result);
  const actionable = tally.high + tally.medium + tally.low;
  const blocks = [`### ${actionable === 0 ? ':white_check_mark:' : ':x:'} gemleak doctor: ${cell(result.verdict.headline)}`];
  if (result.findings.length > 0) {
    const rows = result.findings.map((finding) => {
      const where = location(finding.file === null ? null : context.repoPath(finding.file), finding.line);
      const fix = finding.fix === null ? '' : `${finding.fixWhere === null ? '' : `${cell(finding.fixWhere)}: `}${finding.fix.split('\n').map(code).join('<br>')}`;
      return `| ${ICON[finding.severity]} | ${where === '' ? '' : code(where)} | ${cell(finding.message)} | ${fix} |`;
    });
    blocks.push(['| Severity | Where | Finding | Fix |', '| --- | --- | --- | --- |', ...rows].join('\n'));
  }
  if (result.warnings.length > 0) {
    blocks.push(['**Warnings**', '', ...result.warnings.map((warning) => `- ${warning.file ? `${code(location(warning.file, warning.line ?? null))}: ` : ''}${cell(warning.message)}`)].join('\n'));
  }
  blocks.push(
    `<sub>${actionable} need action (${tally.high} high, ${tally.medium} medium, ${tally.low} low) · ${result.filesScanned.length} files scanned · gemleak ${cell(result.gemleakVersion)}</sub>`,
  );
  return `${blocks.join('\n\n')}\n`;
}
