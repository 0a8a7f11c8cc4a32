import os from 'node:os';
import { terminalLines } from '../../terminal.js';
import path from 'node:path';
import { DEFAULT_DATABASE_URL, checkBranchName, checkSourceUrl, redactUrl } from '../../advisories/source-url.js';
import { type SyncProgress, type SyncResult, syncAdvisoryDatabase } from '../../advisories/sync.js';
import { readSyncState } from '../../advisories/sync-state.js';
import { GEMLEAK_VERSION } from '../../version.js';
import { type CliIo, warn } from '../io.js';

export interface UpdateOptions {
  url?: string | undefined;
  branch?: string | undefined;
  quiet?: boolean | undefined;
}

/** One git source and the data home its copy lives in (the data home itself for the default source). */
export interface SourceTarget {
  home: string;
  /** Checked with `checkSourceUrl`. */
  url: string;
  branch: string | undefined;
  /** The `.gemleak.toml` name of a configured source, for the summary line. */
  name: string | null;
  /** A `[[database]] url` of `.gemleak.toml` (its own folder under `sources/`), not the default source. */
  configured: boolean;
}

/**
 * The default source: --url, else GEMLEAK_DB_URL, else the one the synced copy came from, else the
 * public database; --branch / GEMLEAK_DB_BRANCH apply to it. Its copy lives in the data home itself.
 */
export function defaultSource(options: UpdateOptions, io: CliIo, home: string): SourceTarget {
  const remembered = readSyncState(home);
  const url = checkSourceUrl(options.url ?? (io.env.GEMLEAK_DB_URL || undefined) ?? (remembered.kind === 'ok' ? remembered.state.url : DEFAULT_DATABASE_URL), io.cwd);
  const branchName = options.branch ?? (io.env.GEMLEAK_DB_BRANCH || undefined);
  const branch = branchName === undefined ? undefined : checkBranchName(branchName);
  return { home, url, branch, name: null, configured: false };
}

/**
 * Syncs one source into its data home and reports: git's progress on stderr when it is a terminal,
 * broken advisories as warnings, then one summary line on `summaryTo` (stderr under
 * `check --update`, so a JSON report on stdout stays clean). Throws the sync's GemleakError when the
 * update did not happen.
 */
export async function syncSource(target: SourceTarget, options: UpdateOptions, io: CliIo, summaryTo: 'stdout' | 'stderr'): Promise<SyncResult> {
  const progress = !options.quiet && io.stderrIsTTY ? progressLine(io) : undefined;
  let result: SyncResult;
  try {
    result = await syncAdvisoryDatabase({
      home: target.home,
      url: target.url,
      branch: target.branch,
      gemleakVersion: GEMLEAK_VERSION,
      env: io.env,
      ...(progress ? { onProgress: progress.show } : {}),
      onWait: (owner) => {
        if (options.quiet) return;
        const who = owner ? ` (pid ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`})` : '';
        const which = target.configured ? ` of ${redactUrl(target.url)}` : '';
        io.stderr.write(`gemleak: another gemleak update${which}${who} is running; waiting for it to finish\n`);
      },
    });
  } finally {
    progress?.clear();
  }
  for (const problem of result.problems) {
    const where = `${path.join(result.root, problem.file)}${problem.line === undefined ? '' : `:${problem.line}`}`;
    warn(io, `${where}: broken advisory skipped: ${problem.message}`);
  }
  if (!options.quiet) io[summaryTo].write(`${terminalLines(summarize(result, target.name))}\n`);
  return result;
}

/** `Updated <source>: 14 advisories, last change 2021-11-24 (abc1234)`; unchanged says so. */
function summarize(result: SyncResult, name: string | null = null): string {
  const { state } = result;
  const source = `${redactUrl(state.url)}${name === null ? '' : ` (${name})`}`;
  const broken = state.problems > 0 ? `, ${state.problems} broken (skipped)` : '';
  const details = `${state.advisories} ${state.advisories === 1 ? 'advisory' : 'advisories'}${broken}, last change ${state.commitDate.slice(0, 10)} (${state.commit.slice(0, 7)})`;
  if (result.reused) return `Already up to date: ${source} was synced by another gemleak update just now: ${details}`;
  if (result.outcome === 'unchanged') return `Already up to date: ${source}: ${details}`;
  return `Updated ${source}: ${details}`;
}

/** git's progress on one self-overwriting terminal line (stderr is a TTY here). */
function progressLine(io: CliIo) {
  let shown = false;
  return {
    show(event: SyncProgress) {
      shown = true;
      const counts = event.total > 0 ? ` (${event.processed}/${event.total})` : '';
      io.stderr.write(`\r\x1b[Kgit ${event.method}: ${event.stage.replace(/:$/, '')} ${event.progress}%${counts}`);
    },
    clear() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
