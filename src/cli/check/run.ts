import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readLockfile, resolveLockfilePath } from '../../lockfile/index.js';
import type { Lockfile } from '../../lockfile/types.js';
import { auditLockfile, lockedGemNames } from '../../audit/audit.js';
import { mergeAdvisories } from '../../advisories/merge.js';
import type { Suppression, CheckResult, RunWarning } from '../../audit/types.js';
import { renderText, activeFindings } from '../../report/text.js';
import { renderJson } from '../../report/json.js';
import { GemleakError } from '../../errors.js';
import { GEMLEAK_VERSION } from '../../version.js';
import { useColor, warn } from '../io.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS } from '../context.js';
import { chooseDatabases, loadDatabases } from './databases.js';

export const CHECK_FORMATS = ['text', 'json'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckOptions {
  paths: string[];
  format: CheckFormat;
  output?: string | undefined;
  ignore: string[];
  database?: string | undefined;
  strict: boolean;
  verbose: boolean;
  quiet: boolean;
}

/** `gemleak check`: read the lockfiles, load the advisories of the gems they lock, match, report. */
export async function runCheck(options: CheckOptions, context: CommandContext): Promise<void> {
  const { io } = context;
  const lockfiles = await readLockfiles(options.paths, io.cwd);
  const gems = new Set(lockfiles.flatMap((lockfile) => [...lockedGemNames(lockfile)]));
  const loaded = await loadDatabases(chooseDatabases(options, io.env), gems, options.strict);
  const { advisories, total } = mergeAdvisories(loaded.map(({ database }) => database));
  const ignores = cliIgnores(options.ignore);
  const audits = lockfiles.map((lockfile) => auditLockfile(lockfile, advisories, { ignores }));
  const warnings: RunWarning[] = [
    ...audits.flatMap((audit) => audit.warnings),
    ...loaded.flatMap(({ database }) =>
      database.problems.map((problem) => ({
        message: `advisory skipped: ${problem.message}`,
        file: path.join(database.root, problem.file),
        ...(problem.line === undefined ? {} : { line: problem.line }),
      })),
    ),
    ...unusedIgnores(options.ignore, audits.flatMap((audit) => audit.findings.map((finding) => finding.advisory))),
  ];
  const result: CheckResult = { gemleakVersion: GEMLEAK_VERSION, audits, databases: loaded.map(({ summary }) => summary), advisoryCount: total, warnings };
  for (const warning of warnings) warn(io, formatWarning(warning));
  await emit(render(result, options, context), options.output, context);
  context.exitCode = activeFindings(result).length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

async function readLockfiles(paths: string[], cwd: string): Promise<Lockfile[]> {
  const targets = paths.length === 0 ? ['.'] : paths;
  return Promise.all(
    targets.map(async (target) => {
      const resolved = await resolveLockfilePath(path.resolve(cwd, target));
      const lockfile = await readLockfile(resolved);
      // Messages and reports name the lockfile as the user would type it, relative to where they are.
      return { ...lockfile, file: path.relative(cwd, resolved) || path.basename(resolved) };
    }),
  );
}

function cliIgnores(ids: string[]): Map<string, Suppression> {
  return new Map(ids.map((id) => [id, { reason: 'ignored with --ignore', until: null }]));
}

function unusedIgnores(ids: string[], matched: { gem: string; id: string }[]): RunWarning[] {
  const seen = new Set(matched.map((advisory) => `${advisory.gem}-${advisory.id}`));
  return ids
    .filter((id) => !seen.has(id))
    .map((id) => ({ message: `--ignore ${id} matched no finding (ids are written <gem>-<advisory id>, e.g. celluloid-670)` }));
}

function render(result: CheckResult, options: CheckOptions, context: CommandContext): string {
  if (options.format === 'json') return renderJson(result);
  const first = result.audits[0]?.lockfile ?? '.';
  return renderText(result, {
    color: options.output === undefined && useColor(context.io, 'stdout'),
    verbose: options.verbose,
    quiet: options.quiet,
    appName: path.basename(path.dirname(path.resolve(context.io.cwd, first))),
  });
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

function formatWarning(warning: RunWarning): string {
  if (warning.file === undefined) return warning.message;
  return warning.line === undefined ? `${warning.file}: ${warning.message}` : `${warning.file}:${warning.line}: ${warning.message}`;
}
