import path from 'node:path';
import { indexedLockfiles, readStagedBlobs, stagedLockfileChanges, workTreeRoot } from '../../hook/staged.js';
import type { CheckOptions } from '../check/run.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../../errors.js';

/**
 * `gemleak check --staged [paths...]`: checks the lockfiles as they are staged in the git index,
 * whatever the working tree holds. Without paths, the lockfiles this commit changes anywhere in the
 * repository; with paths (what pre-commit and lefthook pass), the index's version of those.
 *
 * This module is what every commit loads: it imports nothing heavy. When no lockfile is staged it
 * returns after one git call, before the lockfile parser, the advisory database or YAML are loaded.
 */
export async function runStagedCheck(options: CheckOptions, context: CommandContext): Promise<void> {
  refuseContradictions(options);
  const git = { cwd: context.io.cwd, env: context.io.env };
  const staged = options.paths.length === 0 ? await stagedLockfileChanges(git) : await indexedLockfiles(git, options.paths);
  if (staged.length === 0) return;
  const [root, blobs, { parseLockfileBytes }] = await Promise.all([workTreeRoot(git), readStagedBlobs(git, staged), import('../../lockfile/from-bytes.js')]);
  // The same decoding and parsing as a lockfile on disk (conflict markers included), named as
  // `gemleak check` names files: relative to where the user is. In a hook, that is the top.
  const lockfiles = staged.map((entry, index) => {
    const file = path.relative(context.io.cwd, path.join(root, entry.path)) || path.posix.basename(entry.path);
    // The same size cap as on disk (from-bytes.ts).
    return parseLockfileBytes(blobs[index] ?? Buffer.alloc(0), file);
  });
  const { runCheckCommand } = await import('../check/run.js');
  // A hook is read by a person mid-commit: text unless --format says otherwise, whatever the
  // config's default `format` (meant for CI reports) is.
  await runCheckCommand({ ...options, format: options.format ?? 'text' }, context, lockfiles);
}

/** A commit must not wait on the network, and the index already covers the whole repository. */
function refuseContradictions(options: CheckOptions): void {
  if (options.update || options.updateOptional) {
    throw new UsageError(`--staged never touches the network, so it does not take ${options.update ? '--update' : '--update-optional'}; run "gemleak update" on its own (or in CI)`);
  }
  if (options.recursive) {
    throw new UsageError('--staged already checks every staged lockfile in the repository; drop --recursive (paths, if given, narrow it)');
  }
}
