import path from 'node:path';
import type { Severity } from '../../advisories/types.js';
import type { CheckResult, RunWarning } from '../../audit/types.js';
import type { Lockfile } from '../../lockfile/types.js';
import { runCheck as checkLockfiles } from '../../check/run.js';
import type { CheckFormat } from '../../formats.js';
import { type ReportContext, renderReport } from '../../report/index.js';
import { describeWarning } from '../../report/describe.js';
import { useColor, warn, writeReport } from '../io.js';
import type { CommandContext } from '../context.js';
import { githubExtras, reportContext } from './team.js';

export interface CheckOptions {
  paths: string[];
  /** Undefined when `--format` is not given: then the config's `format`, else text. */
  format?: CheckFormat | undefined;
  output?: string | undefined;
  /** Added to the config's `[[ignore]]` entries. */
  ignore: string[];
  /** `--config FILE`, or false for `--no-config`; else each lockfile's nearest `.gemleak.toml`. */
  config?: string | false | undefined;
  recursive?: boolean | undefined;
  database?: string | undefined;
  strict: boolean;
  verbose: boolean;
  quiet: boolean;
  /** `--staged`: the lockfiles come from the git index (src/cli/staged/run.ts); compact text report. */
  staged?: boolean;
  update?: boolean;
  updateOptional?: boolean;
  maxAge?: number | undefined;
  failOnStale?: boolean;
  /** `--fail-on high|medium|low`: exit 1 only for known leaks of at least this severity. */
  failOn?: Severity | undefined;
}

/**
 * `gemleak check` on the command line: sync first when asked, run the library's check, print its
 * warnings, render the chosen format, and leave the result's exit code. Nothing is decided here.
 */
export async function runCheckCommand(options: CheckOptions, context: CommandContext, staged?: Lockfile[]): Promise<void> {
  const { io } = context;
  const warnings: RunWarning[] = [];
  if (options.update || options.updateOptional) {
    const { updateBeforeCheck } = await import('../update/before-check.js');
    warnings.push(...(await updateBeforeCheck(options, context)));
  }
  const now = new Date();
  const result = await checkLockfiles({
    paths: options.paths,
    cwd: io.cwd,
    env: io.env,
    lockfiles: staged,
    ignore: options.ignore,
    config: options.config,
    recursive: options.recursive,
    database: options.database,
    strict: options.strict,
    maxAge: options.maxAge,
    failOnStale: options.failOnStale,
    failOn: options.failOn,
    warnings,
    now,
  });
  for (const warning of result.warnings) warn(io, describeWarning(warning));
  const format: CheckFormat = options.format ?? result.configFormat ?? 'text';
  const report = await reportContext(result, format, textOptions(result, options, context), context, now);
  await writeReport(io, await render(result, format, options, report), options.output);
  await githubExtras(result, { format, formatGiven: options.format !== undefined }, options, context, report);
  context.exitCode = result.exitCode;
}

/** The staged (pre-commit) text report is the compact one; every format goes through the registry. */
function render(result: CheckResult, format: CheckFormat, options: CheckOptions, report: ReportContext): Promise<string> {
  return renderReport(format === 'text' && options.staged ? 'compact' : format, result, report);
}

function textOptions(result: CheckResult, options: CheckOptions, context: CommandContext) {
  const first = result.audits[0]?.lockfile ?? '.';
  return {
    color: options.output === undefined && useColor(context.io, 'stdout'),
    verbose: options.verbose,
    quiet: options.quiet,
    appName: path.basename(path.dirname(path.resolve(context.io.cwd, first))),
  };
}
