import path from 'node:path';
import { BUNDLED_DATABASE_ROOT } from '../../advisories/bundled.js';
import { lintAdvisoryDatabase } from '../../advisories/lint.js';
import { GemleakError, UsageError, isGemleakError } from '../../errors.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS } from '../context.js';

export interface DbLintOptions {
  /** `--bundled`: lint with the bundled database's rules (evidence required); the bundled database when no folder is given. */
  bundled?: boolean;
}

/**
 * `gemleak db lint [DIR]`: every problem as `file:line: message` on stdout, exit 1 when there is
 * any. Paths are shown as typed (an absolute folder stays absolute). A folder that is missing or is
 * not an advisory database is an error (exit 2), not a lint problem.
 */
export async function runDbLint(dir: string | undefined, context: CommandContext, options: DbLintOptions = {}): Promise<void> {
  const { io } = context;
  if (dir === undefined && !options.bundled) throw new UsageError('gemleak db lint needs a database folder (or --bundled)');
  if (dir === '') throw new GemleakError('DB_NOT_FOUND', "'' is not a folder: name the database folder (the one holding gems/)");
  const shown = dir ?? BUNDLED_DATABASE_ROOT;
  const result = await lintAdvisoryDatabase(path.resolve(io.cwd, shown), { bundled: options.bundled === true }).catch((error: unknown) => {
    if (!isGemleakError(error) || (error.code !== 'DB_NOT_FOUND' && error.code !== 'DB_INVALID')) throw error;
    throw new GemleakError(error.code, error.message, { file: shown });
  });
  const lines = result.problems.map((problem) => {
    const file = path.join(shown, problem.file);
    return `${file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
  });
  const count = `${result.advisories} ${result.advisories === 1 ? 'advisory' : 'advisories'}`;
  if (lines.length === 0) {
    io.stdout.write(`${shown}: ${count}, no problems\n`);
    context.exitCode = EXIT_CLEAN;
    return;
  }
  io.stdout.write(`${lines.join('\n')}\n${lines.length} ${lines.length === 1 ? 'problem' : 'problems'} in ${shown} (${count})\n`);
  context.exitCode = EXIT_FINDINGS;
}
