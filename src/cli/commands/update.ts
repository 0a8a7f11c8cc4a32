import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import type { UpdateAllOptions } from '../update/all-sources.js';

/** Declares `gemleak update`; git and the sync code are loaded only when it runs. */
export function registerUpdate(program: Command, context: CommandContext): void {
  program
    .command('update')
    .description('sync the advisory databases from git: the public ruby-mem-advisory-db (or --url), plus every [[database]] url of .gemleak.toml')
    .option('--url <url>', 'git URL or path of the database (also GEMLEAK_DB_URL); remembered for later updates')
    .option('--branch <name>', "default source: follow this branch instead of the remote's default branch (also GEMLEAK_DB_BRANCH)")
    .option('-c, --config <file>', 'read the [[database]] sources from this config file instead of looking for .gemleak.toml (up to the git root)')
    .option('--no-config', 'sync only the default source, whatever .gemleak.toml lists')
    .option('-q, --quiet', 'print nothing unless something is wrong', false)
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak update                                        # the public ruby-mem-advisory-db, plus .gemleak.toml's sources
  $ gemleak update --url git@github.com:acme/leak-db.git  # only this database (same format), remembered as the default
  $ GEMLEAK_HOME=.cache/gemleak gemleak update --quiet     # keep the copy in a CI cache folder

Copies live in $GEMLEAK_HOME, else $XDG_DATA_HOME/gemleak, else ~/.local/share/gemleak;
gemleak check merges them with the bundled database. See them with: gemleak db status

Exit codes: 0 every source updated or already up to date, 2 a source was not updated (its previous
copy stays in use; the other sources are still updated).`,
    )
    .action(async (flags: UpdateAllOptions) => {
      const { runUpdateCommand } = await import('../update/all-sources.js');
      await runUpdateCommand(flags, context);
    });
}
