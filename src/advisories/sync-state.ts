import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dataHomePaths } from './data-home.js';
import { unwritable } from './synced-index.js';

/** Bumped when the record changes incompatibly; an unknown format is treated as "no synced copy". */
export const SYNC_STATE_FORMAT = 1;

/**
 * The synced copy's record (`synced.json`), written by `gemleak update` after the copy was validated
 * and read by `gemleak check`, so a check needs no git process and parses nothing else.
 */
export interface SyncState {
  format: typeof SYNC_STATE_FORMAT;
  /** The current copy, relative to the data home (`synced/20240501T101500123Z-abc1234`). */
  path: string;
  /** Source as given (after checks); credentials in it are never printed. */
  url: string;
  /** The branch the copy follows (the remote's default branch unless --branch), null when unknown. */
  branch: string | null;
  /** Full commit hash of the copy. */
  commit: string;
  /** Committer date of that commit, ISO 8601 with its offset (git's %cI). */
  commitDate: string;
  /** Last successful sync, ISO 8601 UTC. Stale warnings count from here, not from the commit. */
  syncedAt: string;
  /** Advisory files in the copy, and how many of them could not be read when it was synced. */
  advisories: number;
  problems: number;
  /** `min_gemleak_version` from the database manifest, when it has one. */
  minGemleakVersion: string | null;
  /** The gemleak version that synced it. */
  syncedBy: string;
}

export type SyncStateRead = { kind: 'none' } | { kind: 'ok'; state: SyncState; root: string } | { kind: 'unusable'; reason: string };

/**
 * Reads `synced.json` (synchronously: this is on the check's path and is one small file).
 * Never throws: a missing record is `none`; a damaged one is `unusable` with the reason.
 */
export function readSyncState(home: string): SyncStateRead {
  const { stateFile, syncedDir } = dataHomePaths(home);
  let text: string;
  try {
    text = readFileSync(stateFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'unusable', reason: `${stateFile}: cannot be read (${code ?? String(error)})` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'unusable', reason: `${stateFile}: not valid JSON (run gemleak update to rewrite it)` };
  }
  const problem = describeInvalidState(data);
  if (problem !== null) return { kind: 'unusable', reason: `${stateFile}: ${problem} (run gemleak update to rewrite it)` };
  const state = data as SyncState;
  const root = path.resolve(home, state.path);
  // The record is ours, but it lives on disk: it may only name a folder directly inside synced/.
  if (path.dirname(root) !== syncedDir) return { kind: 'unusable', reason: `${stateFile}: 'path' must name a folder inside ${syncedDir}` };
  return { kind: 'ok', state, root };
}

function describeInvalidState(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const record = data as Record<string, unknown>;
  if (record.format !== SYNC_STATE_FORMAT) return `unknown format ${JSON.stringify(record.format)} (written by another gemleak version?)`;
  for (const key of ['path', 'url', 'commit', 'commitDate', 'syncedAt', 'syncedBy'] as const) {
    if (typeof record[key] !== 'string' || record[key] === '') return `'${key}' must be a non-empty string`;
  }
  for (const key of ['branch', 'minGemleakVersion'] as const) {
    if (record[key] !== null && typeof record[key] !== 'string') return `'${key}' must be a string or null`;
  }
  for (const key of ['advisories', 'problems'] as const) {
    if (!Number.isSafeInteger(record[key]) || (record[key] as number) < 0) return `'${key}' must be a whole number`;
  }
  if (Number.isNaN(Date.parse(record.syncedAt as string))) return `'syncedAt' is not a date`;
  return null;
}

/**
 * Replaces `synced.json` atomically (write a temp file, then rename over it): a reader sees the old
 * record or the new one, never half of one, and a crash leaves the old one in place.
 */
export async function writeSyncState(home: string, state: SyncState): Promise<void> {
  const { stateFile } = dataHomePaths(home);
  const temp = `${stateFile}.${process.pid}.${Date.now()}.tmp`;
  try {
    // 0600: the source URL in it may carry a token (git's credentials are the user's alone too).
    await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, stateFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw unwritable(stateFile, error);
  }
}
