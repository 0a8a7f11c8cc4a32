import path from 'node:path';
import { lintAdvisoryDatabase } from '../../advisories/lint.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS } from '../context.js';

/** `gemleak db lint DIR`: every problem as `file:line: message` on stdout, exit 1 when there is any. */
export async function runDbLint(dir: string, context: CommandContext): Promise<void> {
  const { io } = context;
  const result = await lintAdvisoryDatabase(path.resolve(io.cwd, dir));
  const shown = path.relative(io.cwd, result.root) || '.';
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
