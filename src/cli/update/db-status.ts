import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_DATABASE_ROOT } from '../../advisories/bundled.js';
import { dataHomePaths, resolveDataHome } from '../../advisories/data-home.js';
import { loadAdvisoryDatabase } from '../../advisories/load.js';
import { mergeAdvisories } from '../../advisories/merge.js';
import { redactUrl } from '../../advisories/source-url.js';
import { readSyncState } from '../../advisories/sync-state.js';
import type { AdvisoryDatabase, DatabaseSummary } from '../../advisories/types.js';
import { isGemleakError } from '../../errors.js';
import { GEMLEAK_VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';

interface DatabaseStatus {
  kind: DatabaseSummary['kind'];
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

/** `gemleak db status`: every database gemleak knows, and which ones `check` would use. */
export async function runDbStatus(options: { format: 'text' | 'json' }, context: CommandContext): Promise<void> {
  const { io } = context;
  const home = resolveDataHome(io.env, os.homedir(), io.cwd);
  const customRoot = io.env.GEMLEAK_DB || undefined;
  const [bundled, synced, custom] = await Promise.all([bundledStatus(customRoot === undefined), syncedStatus(home, customRoot === undefined), customStatus(customRoot, io.cwd)]);
  const all = [bundled, synced, custom];
  const used = all.filter((entry) => entry.inUse && entry.database !== null);
  const total = mergeAdvisories(used.map((entry) => entry.database as AdvisoryDatabase)).total;
  const updating = await lockHolder(home);
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify(statusJson(home, all, used, total, updating), null, 2)}\n`);
    return;
  }
  io.stdout.write(statusText(home, io.env.GEMLEAK_HOME ? 'GEMLEAK_HOME' : null, all, used, total, updating));
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
  return { kind, state, path: where, advisories: null, url: null, branch: null, commit: null, commitDate: null, syncedAt: null, inUse: false, problem, database: null };
}

async function lockHolder(home: string): Promise<{ pid: number; host: string; startedAt: string } | null> {
  try {
    const owner = JSON.parse(await readFile(dataHomePaths(home).lockFile, 'utf8')) as { pid: number; host: string; startedAt: string };
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

function statusJson(home: string, all: DatabaseStatus[], used: DatabaseStatus[], total: number, updating: { pid: number; host: string; startedAt: string } | null) {
  return {
    gemleak_version: GEMLEAK_VERSION,
    data_home: home,
    update_running: updating === null ? null : { pid: updating.pid, host: updating.host, started_at: updating.startedAt },
    databases: all.map((entry) => ({
      kind: entry.kind,
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
    check_uses: { kinds: used.map((entry) => entry.kind), advisories: total },
  };
}

function statusText(
  home: string,
  homeFrom: string | null,
  all: DatabaseStatus[],
  used: DatabaseStatus[],
  total: number,
  updating: { pid: number; host: string; startedAt: string } | null,
): string {
  const lines = [`Data folder: ${home}${homeFrom ? ` (from ${homeFrom})` : ''}`];
  if (updating) lines.push(`An update is running: pid ${updating.pid} on ${updating.host}, since ${updating.startedAt}`);
  for (const entry of all) {
    lines.push('', `${entry.kind}: ${headline(entry)}`);
    const row = (label: string, value: string | null) => {
      if (value !== null) lines.push(`  ${label.padEnd(12)} ${value}`);
    };
    row('path', entry.path);
    row('source', entry.url === null ? null : `${entry.url}${entry.branch ? ` (branch ${entry.branch})` : ''}`);
    row('last commit', entry.commit === null ? null : `${entry.commitDate ?? '?'} (${entry.commit})`);
    row('last sync', entry.syncedAt === null ? null : `${entry.syncedAt.replace('T', ' ').slice(0, 16)} UTC (${age(entry.syncedAt)})`);
    row('problem', entry.problem);
    if (entry.kind === 'bundled') row('shipped with', `gemleak ${GEMLEAK_VERSION}`);
  }
  const kinds = used.map((entry) => entry.kind).join(' + ') || 'nothing';
  lines.push('', `gemleak check uses: ${kinds} (${total} ${total === 1 ? 'advisory' : 'advisories'})`);
  return `${lines.join('\n')}\n`;
}

function headline(entry: DatabaseStatus): string {
  if (entry.state === 'none') {
    return entry.kind === 'synced' ? 'none yet (run gemleak update)' : 'not set (GEMLEAK_DB, or gemleak check --database DIR)';
  }
  if (entry.state === 'unusable') return 'unusable';
  const count = `${entry.advisories} ${entry.advisories === 1 ? 'advisory' : 'advisories'}`;
  return entry.inUse ? count : `${count} (not used: GEMLEAK_DB is set)`;
}

function age(iso: string): string {
  const days = Math.floor((Date.now() - Date.parse(iso)) / 86_400_000);
  if (days <= 0) return 'today';
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
