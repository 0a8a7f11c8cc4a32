import type { RunWarning } from '../../audit/types.js';
import { UsageError, isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { raiseFailures, updateAllDatabases } from './all-sources.js';

export interface UpdateBeforeCheckOptions {
  database?: string | undefined;
  update?: boolean | undefined;
  updateOptional?: boolean | undefined;
  quiet?: boolean | undefined;
  /** `--config FILE` / `--no-config`: whose `[[database]] url` sources are synced too. */
  config?: string | false | undefined;
}

/**
 * `check --update`: sync first, every source as `gemleak update` does (summaries on stderr, so the
 * report on stdout stays clean). A failed source stops the check (exit 2, each failure on its own
 * line) unless `--update-optional`, which warns once per failed source and checks with the copies
 * gemleak already has (the bundled database at least): those warnings are returned, so every
 * report carries them.
 */
export async function updateBeforeCheck(options: UpdateBeforeCheckOptions, context: CommandContext): Promise<RunWarning[]> {
  const { io } = context;
  const flag = options.updateOptional ? '--update-optional' : '--update';
  if (options.database !== undefined || io.env.GEMLEAK_DB) {
    const named = options.database !== undefined ? '--database' : 'GEMLEAK_DB';
    throw new UsageError(`${flag} syncs gemleak's own database copy, but ${named} names the one database to use instead: drop one of them`);
  }
  let failures;
  try {
    failures = await updateAllDatabases({ quiet: options.quiet, config: options.config }, io, 'stderr');
  } catch (error) {
    if (!options.updateOptional || !isGemleakError(error)) throw error;
    failures = [error];
  }
  if (!options.updateOptional) {
    raiseFailures(failures, io);
    return [];
  }
  return failures.map((failure) => ({ message: `update failed, checking with the databases gemleak already has (--update-optional): ${failure.describe()}` }));
}
