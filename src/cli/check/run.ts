import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readLockfile, resolveLockfilePath } from '../../lockfile/index.js';
import type { Lockfile } from '../../lockfile/types.js';
import { auditLockfile, lockedGemNames } from '../../audit/audit.js';
import { mergeAdvisories } from '../../advisories/merge.js';
import type { CheckResult, RunWarning } from '../../audit/types.js';
import { activeFindings } from '../../report/text.js';
import { type CheckFormat, type ReportContext, renderReport } from '../../report/index.js';
import { annotateAudit, githubExtras, lockfileTargets, prepareCheck, reportContext, reviewCheckIgnores, withConfigDatabases } from './team.js';
import { renderCompact } from '../../report/compact.js';
import { describeWarning } from '../../report/describe.js';
import { GemleakError } from '../../errors.js';
import { GEMLEAK_VERSION } from '../../version.js';
import { useColor, warn } from '../io.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS } from '../context.js';
import { chooseDatabases, loadDatabases } from './databases.js';
import { checkFreshness } from '../update/freshness.js';

export { CHECK_FORMATS, type CheckFormat } from '../../report/index.js';

export interface CheckOptions {
  paths: string[];
  /** Undefined when `--format` is not given: then the config's `format`, else text (src/cli/check/team.ts). */
  format?: CheckFormat | undefined;
  output?: string | undefined;
  /** Added to the config's `[[ignore]]` entries. */
  ignore: string[];
  /** `--config FILE`, or false for `--no-config`; else `.gemleak.toml` is looked for (src/config/load.ts). */
  config?: string | false | undefined;
  /** `--recursive`: every lockfile below the given folders (src/cli/check/discover.ts). */
  recursive?: boolean | undefined;
  database?: string | undefined;
  strict: boolean;
  verbose: boolean;
  quiet: boolean;
  /** `--staged`: the lockfiles come from the git index (src/cli/staged/run.ts); compact text report. */
  staged?: boolean;
  /** `--update` / `--update-optional`: sync the database first (src/cli/update/before-check.ts). */
  update?: boolean;
  updateOptional?: boolean;
  /** `--max-age DAYS` (default 30) and `--fail-on-stale`: the synced copy's age (src/cli/update/freshness.ts). */
  maxAge?: number | undefined;
  failOnStale?: boolean;
}

/** `gemleak check`: read the lockfiles, load the advisories of the gems they lock, match, report. */
export async function runCheck(options: CheckOptions, context: CommandContext, staged?: Lockfile[]): Promise<void> {
  const { io } = context;
  const setup = await prepareCheck(options, context);
  const discoveryNotes: RunWarning[] = [];
  const lockfiles = staged ?? (await readLockfiles(await lockfileTargets(options, context, discoveryNotes), io.cwd));
  const gems = new Set(lockfiles.flatMap((lockfile) => [...lockedGemNames(lockfile)]));
  if (options.update || options.updateOptional) await (await import('../update/before-check.js')).updateBeforeCheck(options, context);
  const databaseNotes: RunWarning[] = [];
  const loaded = await withConfigDatabases(await loadDatabases(chooseDatabases(options, io.env), gems, options.strict, databaseNotes), setup, options, io.env, gems, databaseNotes);
  const { advisories, total } = mergeAdvisories(loaded.map(({ database }) => database));
  const ignores = setup.suppressions;
  const audits = lockfiles.map((lockfile) => annotateAudit(auditLockfile(lockfile, advisories, { ignores }), lockfile, loaded));
  const ignoreReview = reviewCheckIgnores(setup, audits, loaded.flatMap(({ database }) => database.keys));
  const warnings: RunWarning[] = [
    ...discoveryNotes,
    ...databaseNotes,
    ...checkFreshness(loaded.map(({ summary }) => summary), options),
    ...audits.flatMap((audit) => audit.warnings),
    ...loaded.flatMap(({ database }) =>
      database.problems.map((problem) => ({
        message: `advisory skipped: ${problem.message}`,
        file: path.join(database.root, problem.file),
        ...(problem.line === undefined ? {} : { line: problem.line }),
      })),
    ),
    ...ignoreReview.warnings,
  ];
  const result: CheckResult = { gemleakVersion: GEMLEAK_VERSION, audits, databases: loaded.map(({ summary }) => summary), advisoryCount: total, warnings, config: setup.config?.file ?? null, ignores: ignoreReview.records };
  for (const warning of warnings) warn(io, describeWarning(warning));
  const report = await reportContext(result, setup.format, textOptions(result, options, context), context, setup.now);
  await emit(await render(result, setup.format, options, report), options.output, context);
  await githubExtras(result, setup, options, context, report);
  context.exitCode = activeFindings(result).length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

async function readLockfiles(paths: string[], cwd: string): Promise<Lockfile[]> {
  const targets = paths.length === 0 ? ['.'] : paths;
  return Promise.all(
    targets.map(async (target) => {
      const resolved = await resolveLockfilePath(path.resolve(cwd, target), target);
      // Messages and reports name the lockfile as the user would type it, relative to where they
      // are; absolute when the two share nothing but the root (`/dev/stdin`, not `../../../dev/stdin`).
      const relative = path.relative(cwd, resolved);
      const topOf = (file: string) => file.split(path.sep)[1];
      return readLockfile(resolved, topOf(resolved) !== topOf(cwd) && path.isAbsolute(resolved) ? resolved : relative || path.basename(resolved));
    }),
  );
}

/** Every format goes through src/report/index.ts; the staged (pre-commit) text report is the compact one. */
async function render(result: CheckResult, format: CheckFormat, options: CheckOptions, report: ReportContext): Promise<string> {
  if (format === 'text' && options.staged) return renderCompact(result, { color: report.color, quiet: options.quiet });
  return renderReport(format, result, report);
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

async function emit(text: string, output: string | undefined, context: CommandContext): Promise<void> {
  if (output === undefined) {
    context.io.stdout.write(text);
    return;
  }
  const target = path.resolve(context.io.cwd, output);
  await writeFile(target, text).catch((error: NodeJS.ErrnoException) => {
    throw new GemleakError('OUTPUT_UNWRITABLE', `cannot write the report (${error.code ?? error.message})`, { file: output });
  });
}
