import { lstatSync, realpathSync, statSync } from 'node:fs';
import { terminalLines } from '../../terminal.js';
import path from 'node:path';
import { lintAdvisoryDatabase } from '../../advisories/lint.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS } from '../context.js';
import { GemleakError, UsageError } from '../../errors.js';

/**
 * The folder to lint, as `check --database` takes it: a symbolic link to the database folder is
 * followed (links inside the database never are). Not a folder, or a folder with no gems/ at all
 * (`db lint /`), is not a database with problems but the wrong path: exit 2, named as typed.
 */
function resolveDatabaseFolder(dir: string, cwd: string): string {
  if (dir === '') throw new UsageError("db lint takes the database folder (the one holding gems/), got an empty path ''");
  const absolute = path.resolve(cwd, dir);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    throw new GemleakError('DB_NOT_FOUND', 'no such folder', { file: dir });
  }
  if (!statSync(real).isDirectory()) throw new GemleakError('DB_NOT_FOUND', 'not a folder; db lint takes the database folder (the one holding gems/)', { file: dir });
  if (lstatSync(path.join(real, 'gems'), { throwIfNoEntry: false }) === undefined) {
    throw new GemleakError('DB_INVALID', 'not an advisory database: it has no gems/ folder', { file: dir });
  }
  return real;
}

/** `gemleak db lint DIR`: every problem as `file:line: message` on stdout, exit 1 when there is any. */
export async function runDbLint(dir: string, context: CommandContext): Promise<void> {
  const { io } = context;
  const result = await lintAdvisoryDatabase(resolveDatabaseFolder(dir, io.cwd));
  // Named as typed: `db lint /` is `/`, not `../../..`.
  const shown = dir.replace(/(.)\/+$/, '$1');
  const lines = result.problems.map((problem) => {
    const file = path.join(shown, problem.file);
    return `${file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
  });
  const count = `${result.advisories} ${result.advisories === 1 ? 'advisory' : 'advisories'}`;
  if (lines.length === 0) {
    io.stdout.write(terminalLines(`${shown}: ${count}, no problems\n`));
    context.exitCode = EXIT_CLEAN;
    return;
  }
  // File names and quoted values come from the database: escaped for the terminal.
  io.stdout.write(terminalLines(`${lines.join('\n')}\n${lines.length} ${lines.length === 1 ? 'problem' : 'problems'} in ${shown} (${count})\n`));
  context.exitCode = EXIT_FINDINGS;
}
