import { GEMLEAK_VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';

/** `gemleak --version`: gemleak's version and what the default database holds. */
export async function printVersion(context: CommandContext, _rest: string[]): Promise<void> {
  const { chooseDatabases, loadDatabases } = await import('../check/databases.js');
  const loaded = await loadDatabases(chooseDatabases({ strict: false }, context.io.env), new Set(), false);
  const { mergeAdvisories } = await import('../../advisories/merge.js');
  const { total } = mergeAdvisories(loaded.map(({ database }) => database));
  const kinds = loaded.map(({ summary }) => summary.kind).join(' + ');
  context.io.stdout.write(`gemleak ${GEMLEAK_VERSION} (${total} advisories, ${kinds} database)\n`);
}
