import { readFile, readdir } from 'node:fs/promises';
import { terminalLines } from '../../terminal.js';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_DATABASE_ROOT } from '../../advisories/bundled.js';
import { dataHomePaths, resolveDataHome } from '../../advisories/data-home.js';
import { loadAdvisoryDatabase } from '../../advisories/load.js';
import { resolveDatabases } from '../../check/databases.js';
import { type CorrectionInForce, mergeDatabases } from '../../advisories/merge.js';
import { SOURCES_DIR, sameSource, sourceHome } from '../../advisories/source-home.js';
import { redactUrl } from '../../advisories/source-url.js';
import { isDeadHolder } from '../../advisories/lock.js';
import { readSyncState } from '../../advisories/sync-state.js';
import type { AdvisoryDatabase, DatabaseSummary } from '../../advisories/types.js';
import { loadConfig } from '../../config/load.js';
import type { GemleakConfig } from '../../config/types.js';
import { isGemleakError } from '../../errors.js';
import { GEMLEAK_VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';

interface DatabaseStatus {
  kind: DatabaseSummary['kind'];
  /** The `.gemleak.toml` name, when its `[[database]]` entry gives one. */
  name: string | null;
  /** `file:line` of the `.gemleak.toml` entry naming this database. */
  config: string | null;
  /** A configured source's own copy (under `sources/`), or a folder named by the config: shown with its name or URL. */
  extra: boolean;
  /** Why a usable database is not used (else: GEMLEAK_DB is set). */
  unused: string | null;
  /** `ok`; `none`: not set up; `unusable`: there, but check cannot use it (see `problem`). */
  state: 'ok' | 'none' | 'unusable';
  path: string | null;
  advisories: number | null;
  url: string | null;
  branch: string | null;
  commit: string | null;
  commitDate: string | null;
  syncedAt: string | null;
  /** Used by `gemleak check` as things stand (env included). */
  inUse: boolean;
  problem: string | null;
  database: AdvisoryDatabase | null;
}

export interface DbStatusOptions {
  format: 'text' | 'json';
  /** `--config FILE`, or false for `--no-config`; else `.gemleak.toml` is looked for as `check` does. */
  config?: string | false | undefined;
}

/**
 * `gemleak db status`: every database gemleak knows, and which ones `check` would use: bundled, the
 * default synced copy, each `.gemleak.toml` `[[database]]` (url: its synced copy; path: the folder),
 * synced copies no config names any more, and `GEMLEAK_DB`. A config that cannot be read is shown,
 * not fatal: this command is for finding out what is wrong.
 */
export async function runDbStatus(options: DbStatusOptions, context: CommandContext): Promise<void> {
  const { io } = context;
  const home = resolveDataHome(io.env, os.homedir(), io.cwd);
  const customRoot = io.env.GEMLEAK_DB || undefined;
  let config: GemleakConfig | null = null;
  let configProblem: string | null = null;
  try {
    config = await loadConfig({ cwd: io.cwd, explicit: options.config });
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    configProblem = error.describe();
  }
  const merged = customRoot === undefined;
  const [bundled, synced, configured, custom] = await Promise.all([bundledStatus(merged), syncedStatus(home, merged), configuredStatuses(home, config, merged), customStatus(customRoot, io.cwd)]);
  if (configured.defaultLabel !== null) Object.assign(synced, configured.defaultLabel);
  const all = [bundled, synced, ...configured.statuses, custom];
  // What check uses comes from the one function check itself calls, so the two never disagree.
  const choice = await resolveDatabases({ config, env: io.env, cwd: io.cwd }).catch((error: unknown) => {
    if (!isGemleakError(error)) throw error;
    return null;
  });
  const usedRoots = new Set((choice?.loaded ?? []).map(({ database }) => path.resolve(database.root)));
  for (const entry of all) {
    entry.inUse = entry.database !== null && usedRoots.has(path.resolve(entry.database.root));
    if (!entry.inUse && entry.database !== null && entry.unused === null && customRoot === undefined) {
      entry.unused = choice?.notes.find((note) => note.message.includes(entry.database?.root ?? '\0'))?.message ?? 'gemleak check leaves it out (run gemleak check to see why)';
    }
  }
  const used = all.filter((entry) => entry.inUse);
  const inUse = choice === null ? null : mergeDatabases(choice.loaded);
  const total = inUse?.total ?? 0;
  const corrections = inUse?.corrections ?? [];
  const updating = await lockHolder(home);
  const view: StatusView = { home, config: { file: config?.file ?? null, problem: configProblem }, all, used, total, updating, corrections };
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(statusJson(view), null, 2)}\n`);
    return;
  }
  io.stdout.write(terminalLines(statusText(view, io.env.GEMLEAK_HOME ? 'GEMLEAK_HOME' : null)));
}

async function bundledStatus(inUse: boolean): Promise<DatabaseStatus> {
  return listed('bundled', BUNDLED_DATABASE_ROOT, inUse, {});
}

async function syncedStatus(home: string, inUse: boolean): Promise<DatabaseStatus> {
  const read = readSyncState(home);
  if (read.kind === 'none') return empty('synced', 'none', null, null);
  if (read.kind === 'unusable') return empty('synced', 'unusable', dataHomePaths(home).stateFile, read.reason);
  const { state } = read;
  return listed('synced', read.root, inUse, {
    url: redactUrl(state.url),
    branch: state.branch,
    commit: state.commit.slice(0, 7),
    commitDate: state.commitDate.slice(0, 10),
    syncedAt: state.syncedAt,
  });
}

/**
 * The config's `[[database]]` entries in file order (a `url` that is the default source labels the
 * default copy instead), then the copies under `sources/` that no entry names any more (not used).
 */
async function configuredStatuses(home: string, config: GemleakConfig | null, merged: boolean): Promise<{ statuses: DatabaseStatus[]; defaultLabel: { name: string | null; config: string } | null }> {
  const main = readSyncState(home);
  let defaultLabel: { name: string | null; config: string } | null = null;
  const pending: Promise<DatabaseStatus>[] = [];
  const named = new Set<string>();
  for (const entry of config?.databases ?? []) {
    const at = `${config?.file}:${entry.line}`;
    if (entry.kind === 'path') {
      pending.push(listed('local', entry.path, merged, { name: entry.name, config: at, extra: true }));
      continue;
    }
    if (main.kind === 'ok' && sameSource(main.state.url, entry.url)) {
      defaultLabel ??= { name: entry.name, config: at };
      continue;
    }
    const sub = sourceHome(home, entry.url);
    if (named.has(sub)) continue;
    named.add(sub);
    pending.push(syncedStatus(sub, merged).then((status) => ({ ...status, name: entry.name, config: at, extra: true, url: status.url ?? redactUrl(entry.url) })));
  }
  const folders = await readdir(path.join(home, SOURCES_DIR)).catch(() => [] as string[]);
  for (const folder of folders.sort()) {
    const sub = path.join(home, SOURCES_DIR, folder);
    if (named.has(sub)) continue;
    pending.push(
      syncedStatus(sub, false).then((status) => ({ ...status, extra: true, unused: `no [[database]] url of ${config?.file ?? '.gemleak.toml'} names it; remove ${sub} if it is no longer wanted` })),
    );
  }
  const statuses = (await Promise.all(pending)).filter((status) => status.state !== 'none' || status.config !== null);
  return { statuses, defaultLabel };
}

async function customStatus(root: string | undefined, cwd: string): Promise<DatabaseStatus> {
  if (root === undefined) return empty('custom', 'none', null, null);
  return listed('custom', path.resolve(cwd, root), true, {});
}

/** Lists the database's files (no parsing) to count its advisories; a folder that fails is `unusable`. */
async function listed(kind: DatabaseSummary['kind'], root: string, inUse: boolean, details: Partial<DatabaseStatus>): Promise<DatabaseStatus> {
  try {
    const database = await loadAdvisoryDatabase(root, { gems: new Set() });
    return { ...empty(kind, 'ok', database.root, null), ...details, advisories: database.keys.length, inUse, database };
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    return { ...empty(kind, 'unusable', root, error.message), ...details };
  }
}

function empty(kind: DatabaseSummary['kind'], state: DatabaseStatus['state'], where: string | null, problem: string | null): DatabaseStatus {
  return {
    kind,
    name: null,
    config: null,
    extra: false,
    unused: null,
    state,
    path: where,
    advisories: null,
    url: null,
    branch: null,
    commit: null,
    commitDate: null,
    syncedAt: null,
    inUse: false,
    problem,
    database: null,
  };
}

async function lockHolder(home: string): Promise<{ pid: number; host: string; startedAt: string } | null> {
  try {
    const owner = JSON.parse(await readFile(dataHomePaths(home).lockFile, 'utf8')) as { pid: number; host: string; startedAt: string; bootId?: string | null; pidStart?: string | null };
    // A lock left by a killed update names no running update: the next update breaks it at once.
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string' || isDeadHolder(owner)) return null;
    return { pid: owner.pid, host: owner.host, startedAt: owner.startedAt };
  } catch {
    return null;
  }
}

/** Everything `db status` shows, in either format. */
interface StatusView {
  home: string;
  config: { file: string | null; problem: string | null };
  all: DatabaseStatus[];
  used: DatabaseStatus[];
  total: number;
  updating: { pid: number; host: string; startedAt: string } | null;
  corrections: readonly CorrectionInForce[];
}

function statusJson({ home, config, all, used, total, updating, corrections }: StatusView) {
  return {
    gemleak_version: GEMLEAK_VERSION,
    data_home: home,
    config: config.file,
    config_problem: config.problem,
    update_running: updating === null ? null : { pid: updating.pid, host: updating.host, started_at: updating.startedAt },
    databases: all.map((entry) => ({
      kind: entry.kind,
      name: entry.name,
      config: entry.config,
      state: entry.state,
      in_use: entry.inUse && entry.database !== null,
      path: entry.path,
      advisories: entry.advisories,
      url: entry.url,
      branch: entry.branch,
      commit: entry.commit,
      commit_date: entry.commitDate,
      synced_at: entry.syncedAt,
      problem: entry.problem,
    })),
    check_uses: { kinds: used.map((entry) => entry.kind), sources: used.map(label), advisories: total },
    corrections: corrections.map((correction) => ({ advisory: correction.key, file: correction.file, corrects: correction.corrected.label, reason: correction.reason, evidence: correction.evidence })),
  };
}

function statusText({ home, config, all, used, total, updating, corrections }: StatusView, homeFrom: string | null): string {
  const lines = [`Data folder: ${home}${homeFrom ? ` (from ${homeFrom})` : ''}`];
  if (config.file !== null) lines.push(`Config: ${config.file}`);
  if (config.problem !== null) lines.push(`Config: cannot be read, so its [[database]] sources are not shown: ${config.problem}`);
  if (updating) lines.push(`An update is running: pid ${updating.pid} on ${updating.host}, since ${updating.startedAt}`);
  for (const entry of all) {
    lines.push('', `${title(entry)}: ${headline(entry)}`);
    const row = (label: string, value: string | null) => {
      if (value !== null) lines.push(`  ${label.padEnd(12)} ${value}`);
    };
    if (entry.name !== null && !entry.extra) row('name', entry.name);
    row('config', entry.config);
    row('path', entry.path);
    row('source', entry.url === null ? null : `${entry.url}${entry.branch ? ` (branch ${entry.branch})` : ''}`);
    row('last commit', entry.commit === null ? null : `${entry.commitDate ?? '?'} (${entry.commit})`);
    row('last sync', entry.syncedAt === null ? null : `${entry.syncedAt.replace('T', ' ').slice(0, 16)} UTC (${age(entry.syncedAt)})`);
    row('problem', entry.problem);
    if (entry.kind === 'bundled') row('shipped with', `gemleak ${GEMLEAK_VERSION}`);
  }
  const kinds = used.map(label).join(' + ') || 'nothing';
  lines.push('', `gemleak check uses: ${kinds} (${total} ${total === 1 ? 'advisory' : 'advisories'})`);
  if (corrections.length > 0) {
    lines.push('', `Corrections in force (gemleak's database narrows another source's range, with evidence):`);
    for (const correction of corrections) lines.push(`  ${correction.key} of ${correction.corrected.label}: ${correction.reason} (${correction.evidence})`);
  }
  return `${lines.join('\n')}\n`;
}

function headline(entry: DatabaseStatus): string {
  if (entry.state === 'none') {
    return entry.kind === 'synced' ? 'none yet (run gemleak update)' : 'not set (GEMLEAK_DB, or gemleak check --database DIR)';
  }
  if (entry.state === 'unusable') return 'unusable';
  const count = `${entry.advisories} ${entry.advisories === 1 ? 'advisory' : 'advisories'}`;
  return entry.inUse ? count : `${count} (not used: ${entry.unused ?? 'GEMLEAK_DB is set'})`;
}

/** `synced`, or for a configured source `synced internal` / `local /path/to/db`. */
function title(entry: DatabaseStatus): string {
  return entry.extra ? `${entry.kind} ${entry.name ?? entry.url ?? entry.path ?? '?'}` : entry.kind;
}

/** How `check` names a database in a finding's sources (see databaseLabel in src/cli/check/team.ts). */
function label(entry: DatabaseStatus): string {
  if (entry.name !== null) return entry.name;
  return entry.extra ? (entry.url ?? entry.path ?? entry.kind) : entry.kind;
}

function age(iso: string): string {
  const days = Math.floor((Date.now() - Date.parse(iso)) / 86_400_000);
  if (days <= 0) return 'today';
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
