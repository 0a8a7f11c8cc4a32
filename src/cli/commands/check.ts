import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import type { CheckOptions } from '../check/run.js';

/** Declares `gemleak check`; the implementation is loaded only when the command runs. */
export function registerCheck(program: Command, context: CommandContext): void {
  program
    .command('check')
    .description('check Gemfile.lock / gems.locked for gem versions with known memory leaks')
    .argument('[paths...]', 'lockfiles, or folders holding Gemfile.lock (else gems.locked)', [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-i, --ignore <ids...>', 'advisories to ignore, written <gem>-<id> (e.g. celluloid-670)', [])
    .option('-d, --database <dir>', 'use exactly this advisory database (also GEMLEAK_DB)')
    .option('--strict', 'fail (exit 2) on a malformed advisory instead of skipping it', false)
    .option('-v, --verbose', "include each advisory's description", false)
    .option('-q, --quiet', 'print nothing when no leaky gem is found', false)
    .addHelpText('after', `
Examples:
  $ gemleak check                                  # ./Gemfile.lock (or ./gems.locked)
  $ gemleak check apps/api/Gemfile.lock --format json --output gemleak.json
  $ gemleak check --ignore celluloid-670 -- .

Exit codes: 0 no known leaks, 1 leaky gems found, 2 could not check (bad lockfile, bad flag).`)
    .action(async (paths: string[], flags: Omit<CheckOptions, 'paths'>) => {
      const { runCheck } = await import('../check/run.js');
      await runCheck({ ...flags, paths }, context);
    });
}
