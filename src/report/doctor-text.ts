import type { DoctorFinding, DoctorResult } from '../doctor/types.js';
import { type DoctorReportContext, counts, location, terminalSafe } from './doctor-format.js';
import { createStyle, plural, type Style } from './style.js';

const LABEL: Record<DoctorFinding['severity'], string> = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'info' };

/** The human report: the overall answer first, then each finding with where it shows and what to paste. */
export function renderDoctorText(result: DoctorResult, context: DoctorReportContext): string {
  const style = createStyle(context.color);
  const tally = counts(result);
  const actionable = tally.high + tally.medium + tally.low;
  const blocks: string[] = [];
  const unknown = result.verdict.allocator === 'unknown';
  const mark = tally.high > 0 ? style.red('✖') : actionable > 0 ? style.yellow('!') : unknown ? style.yellow('?') : style.green('✔');
  blocks.push(`${mark} ${style.bold(terminalSafe(result.verdict.headline))}`);
  // The headline is not repeated as a fact, but its fix (the commands to run instead) is shown.
  const facts = result.findings.filter((finding) => finding.severity === 'info');
  if (facts.length > 0) {
    blocks.push(
      facts
        .map((finding) =>
          finding.message === result.verdict.headline
            ? fixLines(finding, style, '    ').replace(/^\n/, '')
            : `  ${style.dim('·')} ${terminalSafe(finding.message)}${place(finding, style)}${fixLines(finding, style, '      ')}`,
        )
        .filter((text) => text !== '')
        .join('\n'),
    );
  }
  for (const finding of result.findings.filter((candidate) => candidate.severity !== 'info')) blocks.push(renderFinding(finding, style));
  if (result.warnings.length > 0) {
    blocks.push(
      result.warnings
        .map((warning) => `${style.yellow('warning:')} ${terminalSafe(`${location(warning.file ?? null, warning.line ?? null)}${warning.file ? ': ' : ''}${warning.message}`)}`)
        .join('\n'),
    );
  }
  const scanned = result.root === null ? [] : [`${plural(result.filesScanned.length, 'file')} scanned in ${terminalSafe(result.root)}`];
  const advisories = result.root === null ? [] : [`${plural(result.interpreterAdvisories, 'interpreter advisory', 'interpreter advisories')} checked`];
  const unread = result.process !== null && !result.process.readable;
  const summary =
    unread && actionable === 0
      ? 'the process could not be read: nothing was checked in it'
      : actionable === 0
        ? 'nothing needs action'
        : `${plural(actionable, 'finding')} need${actionable === 1 ? 's' : ''} action (${tally.high} high, ${tally.medium} medium, ${tally.low} low)`;
  blocks.push(style.dim([summary, ...scanned, ...advisories].join(' · ')));
  return `${blocks.join('\n\n')}\n`;
}

function renderFinding(finding: DoctorFinding, style: Style): string {
  const colour = finding.severity === 'high' ? style.red : finding.severity === 'medium' ? style.yellow : style.cyan;
  const lines = [`${colour(style.bold(LABEL[finding.severity]))} ${terminalSafe(finding.message)}${place(finding, style)}`];
  if (finding.url !== null) lines.push(`  ${style.dim('see')} ${style.cyan(terminalSafe(finding.url))}`);
  return `${lines.join('\n')}${fixLines(finding, style, '    ')}`;
}

function place(finding: DoctorFinding, style: Style): string {
  const where = location(finding.file, finding.line);
  return where === '' ? '' : `  ${style.dim(terminalSafe(where))}`;
}

function fixLines(finding: DoctorFinding, style: Style, indent: string): string {
  if (finding.fix === null) return '';
  const header = `\n${indent.slice(2)}${style.green('fix')}${finding.fixWhere === null ? '' : style.dim(` (${terminalSafe(finding.fixWhere)})`)}:`;
  return `${header}\n${finding.fix
    .split('\n')
    .map((line) => `${indent}${terminalSafe(line)}`)
    .join('\n')}`;
}
