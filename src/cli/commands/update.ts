import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import type { UpdateOptions } from '../update/run-update.js';

/** Declares `gemleak update`; git and the sync code are loaded only when it runs. */
export function registerUpdate(program: Command, context: CommandContext): void {
  program
    .command('update')
    .description('sync the advisory database from git (the public ruby-mem-advisory-db unless --url)')
    .option('--url <url>', 'git URL or path of the database (also GEMLEAK_DB_URL); remembered for later updates')
    .option('--branch <name>', "follow this branch instead of the remote's default branch (also GEMLEAK_DB_BRANCH)")
    .option('-q, --quiet', 'print nothing unless something is wrong', false)
    .addHelpText('after', `
Examples:
  $ gemleak update                                        # the public ruby-mem-advisory-db
  $ gemleak update --url git@github.com:acme/leak-db.git  # a private database (same format)
  $ GEMLEAK_HOME=.cache/gemleak gemleak update --quiet     # keep the copy in a CI cache folder

The copy lives in $GEMLEAK_HOME, else $XDG_DATA_HOME/gemleak, else ~/.local/share/gemleak;
gemleak check merges it with the bundled database. See it with: gemleak db status

Exit codes: 0 updated or already up to date, 2 not updated (the previous copy stays in use).`)
    .action(async (flags: UpdateOptions) => {
      const { runUpdateCommand } = await import('../update/run-update.js');
      await runUpdateCommand(flags, context);
    });
}
