import { terminalLine } from '../../report/escape.js';
import os from 'node:os';
import { resolveDataHome } from '../../advisories/data-home.js';
import { sameSource, sourceHome } from '../../advisories/source-home.js';
import { redactUrl } from '../../advisories/source-url.js';
import { loadConfig } from '../../config/load.js';
import type { GemleakConfig } from '../../config/types.js';
import { GemleakError, isGemleakError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { type CliIo, warn } from '../io.js';
import { type SourceTarget, type UpdateOptions, defaultSource, syncSource } from './run-update.js';

export interface UpdateAllOptions extends UpdateOptions {
  /** `--config FILE`, or false for `--no-config`; else `.gemleak.toml` is looked for as `check` does. */
  config?: string | false | undefined;
}

/** `gemleak update`: every source synced, one summary line each on stdout; exit 2 when any failed. */
export async function runUpdateCommand(options: UpdateAllOptions, context: CommandContext): Promise<void> {
  const failures = await updateAllDatabases(options, context.io, 'stdout');
  if (context.io.env.GEMLEAK_DB) {
    warn(context.io, `GEMLEAK_DB is set (${context.io.env.GEMLEAK_DB}), so gemleak check uses that database and not this synced copy`);
  }
  raiseFailures(failures, context.io);
}

/**
 * Syncs the default source (see `defaultSource`) and, unless `--url` names the one source to sync,
 * every `[[database]] url` of the project's `.gemleak.toml` into its own folder (src/advisories/source-home.ts).
 * A configured URL that is the default source is synced once, as the default. Each source is synced
 * with the whole single-source guarantee (lock, staging, validation, atomic switch); one failing
 * does not stop the others. Returns the failures, each naming its source, in order.
 * A config that cannot be read is thrown at once, before anything is synced.
 */
export async function updateAllDatabases(options: UpdateAllOptions, io: CliIo, summaryTo: 'stdout' | 'stderr'): Promise<GemleakError[]> {
  const home = resolveDataHome(io.env, os.homedir(), io.cwd);
  const config = options.url === undefined ? await loadConfig({ cwd: io.cwd, explicit: options.config }) : null;
  const failures: GemleakError[] = [];
  let first: SourceTarget | null = null;
  try {
    first = defaultSource(options, io, home);
  } catch (error) {
    // A refused --url / GEMLEAK_DB_URL: the configured sources still sync.
    if (!isGemleakError(error) || config === null || config.databases.every((entry) => entry.kind !== 'url')) throw error;
    failures.push(error);
  }
  // A configured URL that is the default source is synced once, as the default, under its name.
  const defaultUrl = first?.url;
  const alias = defaultUrl === undefined ? undefined : config?.databases.find((entry) => entry.kind === 'url' && sameSource(entry.url, defaultUrl));
  if (first !== null && alias?.name) first = { ...first, name: alias.name };
  const targets = [...(first === null ? [] : [first]), ...configuredTargets(config, home, first?.url ?? null)];
  for (const target of targets) {
    try {
      await syncSource(target, options, io, summaryTo);
    } catch (error) {
      if (!isGemleakError(error)) throw error;
      failures.push(namingSource(error, target));
    }
  }
  return failures;
}

/** The config's `[[database]] url` sources other than the default one, each once, in file order. */
function configuredTargets(config: GemleakConfig | null, home: string, defaultUrl: string | null): SourceTarget[] {
  const targets: SourceTarget[] = [];
  for (const entry of config?.databases ?? []) {
    if (entry.kind !== 'url') continue;
    if ((defaultUrl !== null && sameSource(entry.url, defaultUrl)) || targets.some((target) => sameSource(target.url, entry.url))) continue;
    targets.push({ home: sourceHome(home, entry.url), url: entry.url, branch: undefined, name: entry.name, configured: true });
  }
  return targets;
}

/**
 * Every failure on its own line, then exit 2: all but the last are printed here, the last is thrown
 * (the CLI prints it as it prints every error). Nothing when all sources synced.
 */
export function raiseFailures(failures: readonly GemleakError[], io: CliIo): void {
  const last = failures.at(-1);
  if (last === undefined) return;
  for (const failure of failures.slice(0, -1)) io.stderr.write(`gemleak: ${terminalLine(failure.describe())}\n`);
  throw last;
}

/** Sync errors name their URL; the few that do not (lock, data folder) get it put in front. */
function namingSource(error: GemleakError, target: SourceTarget): GemleakError {
  const url = redactUrl(target.url);
  if (!target.configured || error.message.includes(url)) return error;
  return new GemleakError(error.code, `${url}: ${error.message}`, {
    exitCode: error.exitCode,
    cause: error,
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.line === undefined ? {} : { line: error.line }),
  });
}
