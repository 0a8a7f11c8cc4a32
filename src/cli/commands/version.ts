import { GEMLEAK_VERSION } from '../../version.js';
import { isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';

/** `gemleak --version`: gemleak's version and what the default database holds. */
export async function printVersion(context: CommandContext, _rest: string[]): Promise<void> {
  const { chooseDatabases, loadDatabases } = await import('../check/databases.js');
  let loaded;
  try {
    // The databases `check` would use: bundled + synced merged, or exactly --database/GEMLEAK_DB.
    loaded = await loadDatabases(chooseDatabases({ strict: false }, context.io.env), new Set(), false);
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    context.io.stdout.write(`gemleak ${GEMLEAK_VERSION}\n`);
    context.io.stderr.write(`gemleak: ${error.describe()}\n`);
    context.exitCode = error.exitCode;
    return;
  }
  const { mergeAdvisories } = await import('../../advisories/merge.js');
  const { total } = mergeAdvisories(loaded.map(({ database }) => database));
  const kinds = loaded.map(({ summary }) => summary.kind).join(' + ');
  context.io.stdout.write(`gemleak ${GEMLEAK_VERSION} (${total} advisories, ${kinds} database${loaded.length > 1 ? 's' : ''})\n`);
}
