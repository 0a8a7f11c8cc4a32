import { Option, type Command } from 'commander';
import { type CommandContext, parseCount } from '../context.js';
import type { CheckOptions } from '../check/run.js';
import { CHECK_FORMATS } from '../../formats.js';

/** Declares `gemleak check`; the implementation is loaded only when the command runs. */
export function registerCheck(program: Command, context: CommandContext): void {
  program
    .command('check')
    .description('check Gemfile.lock / gems.locked for gem versions with known memory leaks')
    .argument('[paths...]', 'lockfiles, or folders holding Gemfile.lock (else gems.locked); default: the current folder', [])
    .addOption(new Option('-f, --format <format>', 'output format (default: format in .gemleak.toml, else text)').choices([...CHECK_FORMATS]))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-i, --ignore <ids...>', 'advisories to ignore, written <gem>-<id> (e.g. celluloid-670); adds to .gemleak.toml', [])
    .option('-c, --config <file>', 'read this config file instead of looking for .gemleak.toml (up to the git root)')
    .option('--no-config', 'ignore any .gemleak.toml')
    .option('-r, --recursive', 'check every Gemfile.lock, gems.locked and Gemfile*.lock below the given folders (honours .gitignore)', false)
    .option('-d, --database <dir>', 'use exactly this advisory database (also GEMLEAK_DB)')
    .option('--strict', 'fail (exit 2) on a malformed advisory instead of skipping it', false)
    .option('-v, --verbose', "include each advisory's description", false)
    .option('-q, --quiet', 'print nothing when no leaky gem is found', false)
    .option('-u, --update', 'sync the advisory database from git first (exit 2 when that fails)', false)
    .option('--update-optional', 'like --update, but a failed sync only warns and the check goes on', false)
    .option('--max-age <days>', 'warn when the last sync of the database is older than this (default: max_age in .gemleak.toml, else 30)', parseCount('--max-age'))
    .option('--fail-on-stale', 'exit 2 instead of warning when the synced database is stale or was never synced', false)
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 only for known leaks of at least this severity: high (grows with normal use), medium (a specific API or option), low (errors, rare conditions); default: any known leak',
      ).choices(['high', 'medium', 'low']),
    )
    .option('--staged', 'check the lockfiles staged in git (the pre-commit hook); paths, if any, narrow them', false)
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak check                                  # ./Gemfile.lock (or ./gems.locked)
  $ gemleak check apps/api/Gemfile.lock --format json --output gemleak.json
  $ gemleak check --ignore celluloid-670 -- .
  $ gemleak check --recursive --format sarif --output gemleak.sarif   # every lockfile of a monorepo
  $ gemleak check --update --format json           # CI: sync the database, then check
  $ gemleak check --staged                         # what this commit stages, as a pre-commit hook

Exit codes: 0 no known leaks, 1 leaky gems found, 2 could not check (bad lockfile, bad flag).`,
    )
    .action(async (paths: string[], flags: Omit<CheckOptions, 'paths'>) => {
      if (flags.staged) return (await import('../staged/run.js')).runStagedCheck({ ...flags, paths }, context);
      const { runCheckCommand } = await import('../check/run.js');
      await runCheckCommand({ ...flags, paths }, context);
    });
}
