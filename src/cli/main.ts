import { type Argument, Command, CommanderError, Help, InvalidArgumentError, type Option } from 'commander';
import { GemleakError } from '../errors.js';
import { type CliIo, processIo } from './io.js';
import { type CommandContext, EXIT_ERROR, InvalidOptionValue } from './context.js';
import { registerCheck } from './commands/check.js';
import { printVersion } from './commands/version.js';
import { GEMLEAK_VERSION } from '../version.js';
import { terminalLine } from '../terminal.js';

/** How colour is chosen; in the help of gemleak itself, whose --no-color every command accepts. */
const COLOR_HELP = `Colours: only on a terminal; --no-color or NO_COLOR=1 turns them off, FORCE_COLOR=1 forces them on.`;

/**
 * Runs gemleak with the given arguments (without `node` and the script) and returns the exit code.
 * Command modules only declare their options here; each loads its implementation when it runs.
 */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const context: CommandContext = { io, exitCode: 0 };
  const first = args.find((arg) => arg !== '--no-color');
  if (first === '--version' || first === '-V') {
    if (args.includes('--no-color')) turnColorOff(context);
    await printVersion(context, []);
    return context.exitCode;
  }
  const program = await buildProgram(context, args);
  try {
    await program.parseAsync(helpAsFlag(args, program), { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && error.code === VERSION_PRINTED) return context.exitCode;
    return reportFailure(error, io);
  }
}

type Register = (program: Command, context: CommandContext) => void;

/**
 * Each top-level command and how to declare it. `check` is declared from main.js itself: it is what
 * the pre-commit hook runs on every commit. The others' declarations (long option lists, their own
 * small modules) are loaded only when one of them runs or when every command must be known (help,
 * an unknown command and its suggestion).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  check: async () => registerCheck,
  update: async () => (await import('./commands/update.js')).registerUpdate,
  db: async () => (await import('./commands/db.js')).registerDb,
  hook: async () => (await import('./commands/hook.js')).registerHook,
  heap: async () => (await import('./commands/heap.js')).registerHeap,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  trend: async () => (await import('./commands/trend.js')).registerTrend,
};

/** The command the arguments name (the first word; the only global options are flags), or every command. */
function commandsNamedIn(args: readonly string[]): string[] {
  const word = args.find((arg) => !arg.startsWith('-'));
  return word !== undefined && Object.hasOwn(COMMANDS, word) ? [word] : Object.keys(COMMANDS);
}

async function buildProgram(context: CommandContext, args: readonly string[]): Promise<Command> {
  const { io } = context;
  const program = new Command('gemleak')
    .description('Find gem versions with known memory leaks in Gemfile.lock, then diff heap dumps to find the rest.')
    .option('-V, --version', 'print the version and the advisory count of the database in use')
    .option('--no-color', 'no colours in the output (as NO_COLOR=1 does); accepted by every command')
    .helpCommand('help [command...]', 'show the help of a command, e.g. gemleak help heap diff')
    .configureHelp(HELP_WITHOUT_ARTEFACTS)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak check                       # check ./Gemfile.lock against the advisory database
  $ gemleak check path/to/app --format json
  $ gemleak update                      # sync the advisory database from git
  $ gemleak heap diff A.json B.json C.json --filter my_app
  $ gemleak help heap diff              # the help of one command (as gemleak heap diff --help)

${COLOR_HELP}
Exit codes: 0 clean, 1 leaky gems found, 2 could not run (bad input, bad flag).`,
    )
    .exitOverride();
  const registers = await Promise.all(commandsNamedIn(args).map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, context);
  for (const command of program.commands) inheritBehaviour(command, program);
  program.showHelpAfterError('(run gemleak --help for usage)');
  // Global options are parsed wherever they stand: `gemleak check -V` prints the version instead
  // of silently running a check, and `--no-color` turns colour off for the command that runs.
  program.hook('preAction', async (_program, action) => {
    if (program.opts().color === false) turnColorOff(context);
    if (program.opts().version !== true) return;
    await printVersion(context, []);
    throw new CommanderError(context.exitCode, VERSION_PRINTED, `version printed instead of running ${fullName(action)}`);
  });
  return program;
}

const VERSION_PRINTED = 'gemleak.versionPrinted';

/** `--no-color` means NO_COLOR for this run: the command sees a copy of the environment with it set. */
function turnColorOff(context: CommandContext): void {
  context.io = Object.create(context.io, { env: { value: { ...context.io.env, NO_COLOR: '1' }, enumerable: true } }) as CliIo;
}

/**
 * `gemleak help heap diff` is `gemleak heap diff --help` (commander's help command takes one name
 * only). A name that is no command is left for commander to report as an unknown command.
 */
function helpAsFlag(args: string[], program: Command): string[] {
  const at = args.findIndex((arg) => !arg.startsWith('-'));
  if (at === -1 || args[at] !== 'help' || at === args.length - 1) return args;
  const names = args.slice(at + 1);
  let command = program;
  for (const name of names) {
    const sub = command.commands.find((candidate) => candidate.name() === name);
    if (sub === undefined) return [...args.slice(0, at), ...names];
    command = sub;
  }
  return [...args.slice(0, at), ...names, '--help'];
}

/**
 * Every command reports usage errors the same way, naming itself as the user types it
 * (`gemleak heap diff --help`), and never exits the process itself. A group (`db`, `hook`, `heap`)
 * run without a subcommand prints its help on stderr and exits 2, like `gemleak` alone.
 */
function inheritBehaviour(command: Command, program: Command): void {
  command
    .exitOverride()
    .configureOutput(program.configureOutput())
    .configureHelp(HELP_WITHOUT_ARTEFACTS)
    .showHelpAfterError(`(run ${fullName(command)} --help for usage)`);
  if (command.commands.length > 0) {
    command
      .allowExcessArguments(true)
      .action(() => {
        if (command.args.length > 0) command.error(`error: unknown command '${command.args[0]}'`, { code: 'commander.unknownCommand' });
        command.help({ error: true });
      })
      .addHelpText('after', `\nExit codes: those of the command run (see ${fullName(command)} <command> --help); 2 for a usage error.`);
  }
  for (const sub of command.commands) inheritBehaviour(sub, program);
}

/** `gemleak heap diff`, from the command and its parents. */
function fullName(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * commander's help without what only a programmer wants to see: `(default: false)` on every flag
 * and `(default: [])` on lists. Real defaults (a number, a word) still show.
 */
const HELP_WITHOUT_ARTEFACTS: Partial<Help> = {
  // --no-color and --version work after any command; its help says so.
  showGlobalOptions: true,
  optionDescription(this: Help, option: Option): string {
    return Help.prototype.optionDescription.call(this, isEmptyDefault(option.defaultValue) ? Object.create(option, { defaultValue: { value: undefined } }) : option);
  },
  argumentDescription(this: Help, argument: Argument): string {
    return Help.prototype.argumentDescription.call(this, isEmptyDefault(argument.defaultValue) ? Object.create(argument, { defaultValue: { value: undefined } }) : argument);
  },
};

function isEmptyDefault(value: unknown): boolean {
  return value === false || (Array.isArray(value) && value.length === 0);
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
