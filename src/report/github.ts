import type { Severity } from '../advisories/types.js';
import type { CheckResult, RunWarning } from '../audit/types.js';
import { whereWritten, findingHeadline, fixSentence, platformSentence, sortFindings, specText } from './describe.js';
import { plural } from './style.js';
import { escapeControlsKeepingLineBreaks } from './escape.js';
import type { ReportContext } from './index.js';
import { activeFindings } from './describe.js';

/** Annotation level by severity: a leak with normal traffic is an error, one on rare errors a notice. */
const GITHUB_LEVEL: Record<Severity, Level> = { high: 'error', medium: 'warning', low: 'notice' };

/** GitHub keeps at most 10 annotations of each level per step and drops the rest without a word. */
export const ANNOTATIONS_PER_LEVEL = 10;

type Level = 'error' | 'warning' | 'notice';

interface Annotation {
  level: Level;
  properties: [string, string | number][];
  message: string;
}

/**
 * GitHub Actions workflow commands: one `::error` per finding that fails the run, at its spec line
 * in the lockfile, and one `::warning` per run warning (an expired or stale ignore at its line in
 * `.gemleak.toml`, a lockfile oddity at its line). Ignored findings get none. At most 10 per level;
 * when some are cut, a last `::notice::` says how many. File paths are from the repository top.
 */
export function renderGithub(result: CheckResult, context: ReportContext): string {
  const errors: Annotation[] = sortFindings(activeFindings(result)).map((finding) => ({
    level: GITHUB_LEVEL[finding.severity],
    properties: [
      ['file', context.repoPath(whereWritten(finding).file)],
      ['line', whereWritten(finding).line],
      ['col', 5],
      ['endColumn', 5 + specText(finding).length],
      ['title', `${finding.gem} ${finding.version}: known memory leak (${finding.advisory.gem}-${finding.advisory.id})`],
    ],
    message: [findingHeadline(finding), fixSentence(finding), platformSentence(finding), finding.advisory.url].filter((part) => part !== '').join(' '),
  }));
  const warnings: Annotation[] = result.warnings.map((warning) => warningAnnotation(warning, context));
  const lines: string[] = [];
  let dropped = 0;
  const all = [...errors, ...warnings];
  const byLevel = (['error', 'warning', 'notice'] as const).map((level) => all.filter((annotation) => annotation.level === level));
  for (const group of byLevel) {
    for (const annotation of group.slice(0, ANNOTATIONS_PER_LEVEL)) lines.push(command(annotation));
    dropped += Math.max(0, group.length - ANNOTATIONS_PER_LEVEL);
  }
  if (dropped > 0) {
    lines.push(
      command({
        level: 'notice',
        properties: [['title', 'gemleak: more results than GitHub shows']],
        message: `${plural(dropped, 'more annotation was', 'more annotations were')} not shown: GitHub keeps ${ANNOTATIONS_PER_LEVEL} per level and step. The full report is in the log and in the job summary.`,
      }),
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function warningAnnotation(warning: RunWarning, context: ReportContext): Annotation {
  const properties: Annotation['properties'] = [];
  if (warning.file !== undefined) {
    properties.push(['file', context.repoPath(warning.file)]);
    if (warning.line !== undefined) properties.push(['line', warning.line]);
  }
  properties.push(['title', 'gemleak']);
  return { level: 'warning', properties, message: warning.message };
}

/** `::error file=Gemfile.lock,line=5,title=...::message`, escaped as actions/toolkit escapes. */
export function command(annotation: Annotation): string {
  // Control characters (ANSI colours, OSC titles) are shown escaped, as in every text output.
  const properties = annotation.properties.map(([key, value]) => `${key}=${escapeProperty(escapeControlsKeepingLineBreaks(String(value)))}`).join(',');
  return `::${annotation.level}${properties === '' ? '' : ` ${properties}`}::${escapeData(escapeControlsKeepingLineBreaks(annotation.message))}`;
}

/** Message text: `%`, CR and LF (`%` first). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values: as the message, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
