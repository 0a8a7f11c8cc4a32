import { Option, type Command } from 'commander';
import { type CommandContext, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, InvalidOptionValue } from '../context.js';
import { DOCTOR_FORMATS, type DoctorFormat, FAIL_ON_LEVELS, type FailOn } from '../../doctor/types.js';
import { useColor, writeReport } from '../io.js';

interface DoctorFlags {
  pid?: number;
  database?: string;
  config?: string | false;
  format: DoctorFormat;
  output?: string;
  failOn: FailOn;
}

/** Declares `gemleak doctor`; the scan and the reporters load only when it runs. */
export function registerDoctor(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description('check the allocator and runtime settings that decide whether memory grows (deployment files, or a live process)')
    .argument(
      '[dir]',
      'the app folder: its Dockerfiles, bin/docker-entrypoint, Procfile, app.json, fly.toml, compose and Kubernetes files, lockfile, Ruby version files (default: . unless --pid is given alone)',
    )
    .option('-p, --pid <pid>', 'also inspect this running process (Linux /proc): jemalloc mapped, its real environment, RSS and PSS, its Ruby', parsePid)
    .addOption(new Option('-f, --format <format>', 'output format').choices([...DOCTOR_FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option(
      '-d, --database <dir>',
      'read interpreter advisories from exactly this advisory database (also GEMLEAK_DB); default: the bundled one, the synced copy and the [[database]] sources of .gemleak.toml',
    )
    .option('-c, --config <file>', 'read this config file instead of looking for .gemleak.toml')
    .option('--no-config', 'ignore any .gemleak.toml')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at least this severe (none: never)').choices([...FAIL_ON_LEVELS]).default('low'))
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak doctor                         # the app in the current folder
  $ gemleak doctor path/to/app --format sarif --output doctor.sarif
  $ gemleak doctor --pid $(pgrep -o -f puma)   # what a running Puma really got
  $ gemleak doctor --fail-on high          # CI: fail only on high findings

Severities: high (expect growth: glibc malloc untuned, YJIT on Ruby 3.3.0), medium, low; info lines
are facts and never fail a run.
Exit codes: 0 nothing needs action, 1 a finding at or above --fail-on, 2 could not check (bad
folder or flag, no such process, or a process gemleak may not read: the report then says what to run).`,
    )
    .action(async (dir: string | undefined, flags: DoctorFlags) => {
      await runDoctorCommand(dir, flags, context);
    });
}

function parsePid(value: string): number {
  const pid = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(pid) || pid < 1) throw new InvalidOptionValue(`--pid takes a process id (a whole number above 0), got '${value}'`);
  return pid;
}

async function runDoctorCommand(dir: string | undefined, flags: DoctorFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const { runDoctor, failingFindings } = await import('../../doctor/index.js');
  const { interpreterAdvisories, notes } = await loadInterpreterAdvisories(flags, context);
  const result = runDoctor({ dir: dir ?? (flags.pid === undefined ? '.' : undefined), cwd: io.cwd, pid: flags.pid, interpreterAdvisories });
  result.warnings.push(...notes);
  const { renderDoctorReport } = await import('../../report/doctor-format.js');
  const files = flags.format === 'sarif' || flags.format === 'markdown' ? result.findings.flatMap((finding) => (finding.file === null ? [] : [finding.file])) : [];
  const { repositoryPaths, toPosix } = await import('../../config/project.js');
  const paths = files.length === 0 ? new Map<string, string>() : await repositoryPaths(files, io.cwd);
  const text = await renderDoctorReport(flags.format, result, {
    color: flags.format === 'text' && flags.output === undefined && useColor(io, 'stdout'),
    repoPath: (file) => paths.get(file) ?? toPosix(file),
  });
  await writeReport(io, text, flags.output);
  // A process gemleak may not read was not checked: that is "could not check", not "clean".
  if (result.process !== null && !result.process.readable && result.root === null) context.exitCode = EXIT_ERROR;
  else context.exitCode = failingFindings(result, flags.failOn).length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/**
 * The interpreter advisories of the databases `gemleak check` would use (the same resolution: the
 * bundled database, the synced copy, the config's sources, or exactly `--database`), no gem
 * advisories: doctor matches only the Ruby.
 */
async function loadInterpreterAdvisories(flags: DoctorFlags, context: CommandContext) {
  const { io } = context;
  const { loadConfig } = await import('../../config/load.js');
  const { resolveDatabases } = await import('../../check/databases.js');
  const { mergeDatabases } = await import('../../advisories/merge.js');
  const config = await loadConfig({ cwd: io.cwd, explicit: flags.config });
  const { loaded, notes } = await resolveDatabases({ database: flags.database, config, env: io.env, cwd: io.cwd, gems: new Set() });
  return {
    interpreterAdvisories: mergeDatabases(loaded).interpreterAdvisories,
    notes: notes.map((note) => ({ message: note.message, ...(note.file === undefined ? {} : { file: note.file }), ...(note.line === undefined ? {} : { line: note.line }) })),
  };
}
