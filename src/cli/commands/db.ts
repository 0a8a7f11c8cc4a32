import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak db status` and `gemleak db lint DIR`; each loads its code when it runs. */
export function registerDb(program: Command, context: CommandContext): void {
  const db = program
    .command('db')
    .description('inspect advisory databases: what gemleak uses (status), is a database folder valid (lint)')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak db status
  $ gemleak db lint path/to/my-leak-db`,
    );

  db.command('status')
    .description('show every database gemleak knows (bundled, synced, .gemleak.toml sources, custom): path, source, advisories, last commit, last sync')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'show the [[database]] sources of this config file instead of looking for .gemleak.toml (up to the git root)')
    .option('--no-config', 'leave out the sources any .gemleak.toml lists')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak db status
  $ gemleak db status --format json | jq '.databases[] | {kind, name, url, synced_at}'

Exit codes: 0 status shown, 2 could not show it (a broken config file, a bad flag).`,
    )
    .action(async (flags: { format: 'text' | 'json'; config?: string | false }) => {
      const { runDbStatus } = await import('../update/db-status.js');
      await runDbStatus(flags, context);
    });

  db.command('lint')
    .description('validate an advisory database folder (gems/<gem>/<id>.yml, rubies/<engine>/<id>.yml): every problem, file:line')
    .argument('[dir]', 'the database folder (the one holding gems/); with --bundled, default: the bundled database')
    .option('--bundled', "lint with the bundled database's rules: every advisory needs trigger and evidence (see advisories/README.md)")
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak db lint .                     # in a clone of your database
  $ gemleak db lint ~/src/acme-leak-db
  $ gemleak db lint --bundled             # the database shipped with gemleak, evidence required

Exit codes: 0 no problems, 1 problems found (all listed), 2 could not lint (no such folder, not a database).`,
    )
    .action(async (dir: string | undefined, flags: { bundled?: boolean }) => {
      const { runDbLint } = await import('../update/db-lint.js');
      await runDbLint(dir, context, { bundled: flags.bundled === true });
    });
}
