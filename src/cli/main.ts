import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { GemleakError } from '../errors.js';
import { type CliIo, processIo } from './io.js';
import { type CommandContext, EXIT_ERROR, InvalidOptionValue } from './context.js';
import { registerCheck } from './commands/check.js';
import { registerUpdate } from './commands/update.js';
import { registerDb } from './commands/db.js';
import { registerHook } from './commands/hook.js';
import { registerHeap } from './commands/heap.js';
import { registerDoctor } from './commands/doctor.js';
import { printVersion } from './commands/version.js';
import { GEMLEAK_VERSION } from '../version.js';
import { terminalLine } from '../terminal.js';

/**
 * Runs gemleak with the given arguments (without `node` and the script) and returns the exit code.
 * Command modules only declare their options here; each loads its implementation when it runs.
 */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const context: CommandContext = { io, exitCode: 0 };
  if (args[0] === '--version' || args[0] === '-V') {
    await printVersion(context, args.slice(1));
    return context.exitCode;
  }
  const program = buildProgram(context);
  try {
    await program.parseAsync(args, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    return reportFailure(error, io);
  }
}

function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('gemleak')
    .description('Find gem versions with known memory leaks in Gemfile.lock, then diff heap dumps to find the rest.')
    .option('-V, --version', 'print the version and the advisory count of the database in use')
    .showHelpAfterError('(run gemleak --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText('after', `
Examples:
  $ gemleak check                       # check ./Gemfile.lock against the advisory database
  $ gemleak check path/to/app --format json
  $ gemleak update                      # sync the advisory database from git
  $ gemleak heap diff A.json B.json C.json --filter my_app

Exit codes: 0 clean, 1 leaky gems found, 2 could not run (bad input, bad flag).`)
    .exitOverride();
  registerCheck(program, context);
  registerUpdate(program, context);
  registerDb(program, context);
  registerHook(program, context);
  registerHeap(program, context);
  registerDoctor(program, context);
  for (const command of program.commands) inheritBehaviour(command, program);
  return program;
}

/** Subcommands report usage errors the same way and never exit the process themselves. */
function inheritBehaviour(command: Command, program: Command): void {
  command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError(`(run gemleak ${command.name()} --help for usage)`);
  for (const sub of command.commands) inheritBehaviour(sub, program);
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Asked-for help is a successful exit; help shown because no command was given, and every
    // other commander error, is a usage error (exit 2), never commander's own 1.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : EXIT_ERROR;
    return EXIT_ERROR;
  }
  if (error instanceof GemleakError) {
    io.stderr.write(`gemleak: ${terminalLine(error.describe())}\n`);
    return error.exitCode;
  }
  if (error instanceof InvalidOptionValue || error instanceof InvalidArgumentError) {
    io.stderr.write(`gemleak: ${terminalLine(error.message)}\n`);
    return EXIT_ERROR;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`gemleak: internal error (please report it with this text, gemleak ${GEMLEAK_VERSION}):\n${detail}\n`);
  return EXIT_ERROR;
}
