import { GEMLEAK_VERSION } from '../../version.js';
import { terminalLine } from '../../terminal.js';
import { isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';

/** `gemleak --version`: gemleak's version and what the databases `check` would use hold. */
export async function printVersion(context: CommandContext, _rest: string[]): Promise<void> {
  const { io } = context;
  const [{ resolveDatabases }, { loadConfig }, { mergeDatabases }] = await Promise.all([import('../../check/databases.js'), import('../../config/load.js'), import('../../advisories/merge.js')]);
  let choice;
  try {
    // The same choice `check` makes from here: --database/GEMLEAK_DB, else bundled + synced + configured.
    const config = await loadConfig({ cwd: io.cwd });
    choice = await resolveDatabases({ config, env: io.env, cwd: io.cwd });
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    io.stdout.write(`gemleak ${GEMLEAK_VERSION}\n`);
    io.stderr.write(`gemleak: ${terminalLine(error.describe())}\n`);
    context.exitCode = error.exitCode;
    return;
  }
  const total = mergeDatabases(choice.loaded).total;
  const kinds = choice.loaded.map(({ summary }) => summary.name ?? summary.kind).join(' + ');
  io.stdout.write(`gemleak ${GEMLEAK_VERSION} (${total} ${total === 1 ? 'advisory' : 'advisories'}, ${kinds} database${choice.loaded.length > 1 ? 's' : ''})\n`);
}
