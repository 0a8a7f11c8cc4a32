import { UsageError, isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { warn } from '../io.js';
import { updateDatabase } from './run-update.js';

export interface UpdateBeforeCheckOptions {
  database?: string | undefined;
  update?: boolean | undefined;
  updateOptional?: boolean | undefined;
  quiet?: boolean | undefined;
}

/**
 * `check --update`: sync first (summary on stderr, so the report on stdout stays clean). A failed
 * update stops the check (exit 2) unless `--update-optional`, which warns and checks with the copy
 * gemleak already has (the bundled database at least).
 */
export async function updateBeforeCheck(options: UpdateBeforeCheckOptions, context: CommandContext): Promise<void> {
  const { io } = context;
  const flag = options.updateOptional ? '--update-optional' : '--update';
  if (options.database !== undefined || io.env.GEMLEAK_DB) {
    const named = options.database !== undefined ? '--database' : 'GEMLEAK_DB';
    throw new UsageError(`${flag} syncs gemleak's own database copy, but ${named} names the one database to use instead: drop one of them`);
  }
  try {
    await updateDatabase({ quiet: options.quiet }, io, 'stderr');
  } catch (error) {
    if (!options.updateOptional || !isGemleakError(error)) throw error;
    warn(io, `update failed, checking with the databases gemleak already has (--update-optional): ${error.describe()}`);
  }
}
