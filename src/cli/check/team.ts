import { appendFile } from 'node:fs/promises';
import type { CheckResult } from '../../audit/types.js';
import type { CheckFormat } from '../../formats.js';
import { type ReportContext, renderReport } from '../../report/index.js';
import type { CommandContext } from '../context.js';
import type { CheckOptions } from './run.js';
import { warn } from '../io.js';

/** The CI side of `gemleak check` on the command line: repository paths for reports, GitHub Actions extras. */

/** The context reporters get: lockfile paths from the repository top for SARIF, annotations, JUnit. */
export async function reportContext(
  result: CheckResult,
  format: CheckFormat,
  base: Pick<ReportContext, 'color' | 'verbose' | 'quiet' | 'appName'>,
  context: CommandContext,
  now: Date,
): Promise<ReportContext> {
  const needsPaths = format !== 'text' && format !== 'json' && format !== 'table';
  const files =
    needsPaths || inGithubActions(context)
      ? [
          ...result.audits.map((audit) => audit.lockfile),
          ...result.audits.flatMap((audit) => (audit.ruby ? [audit.ruby.file] : [])),
          ...result.warnings.flatMap((warning) => (warning.file === undefined ? [] : [warning.file])),
        ]
      : [];
  const { repositoryPaths, toPosix } = await import('../../config/project.js');
  const paths = files.length === 0 ? new Map<string, string>() : await repositoryPaths(files, context.io.cwd);
  return { ...base, repoPath: (file) => paths.get(file) ?? toPosix(file), now };
}

/**
 * In GitHub Actions: when the text report was chosen by default (no `--format`), annotations follow
 * it on stdout, and the Markdown report goes to the job summary. `--format markdown` without
 * `--output` also goes to the job summary. Writing the summary never fails the check.
 */
export async function githubExtras(
  result: CheckResult,
  chosen: { format: CheckFormat; formatGiven: boolean },
  options: Pick<CheckOptions, 'output'>,
  context: CommandContext,
  report: ReportContext,
): Promise<void> {
  if (!inGithubActions(context)) return;
  const automatic = chosen.format === 'text' && !chosen.formatGiven;
  if (automatic) context.io.stdout.write(await renderReport('github', result, report));
  const summary = context.io.env.GITHUB_STEP_SUMMARY;
  if (!summary || !(automatic || (chosen.format === 'markdown' && options.output === undefined))) return;
  const markdown = await renderReport('markdown', result, report);
  await appendFile(summary, `${markdown}\n`).catch((error: NodeJS.ErrnoException) => {
    warn(context.io, `cannot write the job summary to $GITHUB_STEP_SUMMARY (${error.code ?? error.message})`);
  });
}

function inGithubActions(context: CommandContext): boolean {
  return context.io.env.GITHUB_ACTIONS === 'true';
}
