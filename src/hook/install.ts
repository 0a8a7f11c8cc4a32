import { chmod, lstat, mkdir, readFile, readlink, rename, unlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { type GitContext, runGit } from './git.js';
import { CHAIN_SECTION, CREATED_HEADER, type HookCommand, SAVED_HOOK_NAME, classifyHook, findBlock, hookBlock, insertBlock, removeBlock } from './script.js';

export interface InstallOptions {
  command: HookCommand;
  /** Move a hook gemleak cannot add its block to aside, and run it after gemleak's check. */
  force: boolean;
  /** Whether files carry an executable bit (not on Windows). */
  executableBits?: boolean;
}

export type InstallResult =
  | { action: 'created'; hookFile: string }
  | { action: 'added'; hookFile: string }
  | { action: 'updated'; hookFile: string }
  | { action: 'unchanged'; hookFile: string }
  | { action: 'moved-aside'; hookFile: string; savedFile: string };

export type UninstallResult =
  | { action: 'not-installed'; hookFile: string }
  | { action: 'deleted'; hookFile: string }
  | { action: 'restored'; hookFile: string; savedFile: string }
  | { action: 'removed-block'; hookFile: string };

/**
 * The folder git runs hooks from: `core.hooksPath` when set, else the repository's `hooks/`
 * (in a linked worktree, the main repository's; in a submodule, the submodule's own).
 */
async function hooksDirectory(git: GitContext): Promise<string> {
  const [bare, hooks = ''] = (await runGit(git, ['rev-parse', '--is-bare-repository', '--git-path', 'hooks'])).toString('utf8').replace(/\n$/, '').split('\n');
  if (bare === 'true') {
    throw new GemleakError(
      'HOOK_BARE_REPOSITORY',
      'this is a bare repository: nothing is committed in it, so git never runs a pre-commit hook here; run gemleak hook install in a clone with a work tree',
      { file: git.cwd },
    );
  }
  return path.resolve(git.cwd, hooks);
}

/**
 * Hooks are bytes, not text: a hook may hold bytes that are not UTF-8 (a Latin-1 comment), and
 * install then uninstall must give back the very same bytes. Each byte is one character here
 * (latin1), and gemleak's own block (UTF-8, for a non-ASCII path to node) is turned into its bytes.
 */
function bytesAsText(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function textAsBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function utf8AsByteText(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Puts gemleak's block into the pre-commit hook git really runs. Idempotent: a second install
 * rewrites the block in place (new paths to node or gemleak), or changes nothing. An existing hook
 * is never lost: gemleak's block goes into a shell hook, and any other hook is refused, or with
 * `force` moved aside and run after gemleak's check.
 */
export async function installHook(git: GitContext, options: InstallOptions): Promise<InstallResult> {
  const hooksDir = await hooksDirectory(git);
  const hookFile = path.join(hooksDir, 'pre-commit');
  const block = utf8AsByteText(hookBlock(options.command));
  refuseHuskyFolder(hooksDir, options.force);
  const info = await lstat(hookFile).catch(missing);
  if (info === null) {
    await mkdir(hooksDir, { recursive: true }).catch(cannot('create the hooks folder', hooksDir));
    await writeHook(hookFile, textAsBytes(CREATED_HEADER + block));
    return { action: 'created', hookFile };
  }
  const content = info.isFile() ? await readFile(hookFile).catch(cannot('read', hookFile)) : null;
  if (content !== null) {
    const text = bytesAsText(content);
    const position = findBlock(text);
    if (position !== null && 'damaged' in position) throw damaged(hookFile, position.damaged);
    if (position !== null) {
      const updated = text.slice(0, position.start) + block + text.slice(position.end);
      if (updated === text) return { action: 'unchanged', hookFile };
      await writeFile(hookFile, textAsBytes(updated)).catch(cannot('write', hookFile));
      return { action: 'updated', hookFile };
    }
  }
  const problem = await whyNotShell(hookFile, info, content, options.executableBits ?? true);
  if (problem === null && content !== null) {
    await writeFile(hookFile, textAsBytes(insertBlock(bytesAsText(content), block))).catch(cannot('write', hookFile));
    return { action: 'added', hookFile };
  }
  const savedFile = path.join(hooksDir, SAVED_HOOK_NAME);
  if (!options.force) {
    throw new GemleakError(
      'HOOK_NOT_SHELL',
      `an existing pre-commit hook is there and ${problem ?? 'it is not a shell script'}, so gemleak will not edit it. ` +
        'Either make that hook run "gemleak check --staged" and fail when it fails, or run "gemleak hook install --force" ' +
        `to move it to ${SAVED_HOOK_NAME} and have gemleak's hook run it after the check (uninstall puts it back).`,
      { file: hookFile, exitCode: 2 },
    );
  }
  if ((await lstat(savedFile).catch(missing)) !== null) {
    throw new GemleakError('HOOK_SAVED_EXISTS', `cannot move the existing hook aside: ${SAVED_HOOK_NAME} already exists there; move it away first`, {
      file: savedFile,
    });
  }
  await rename(hookFile, savedFile).catch(cannot('move aside', hookFile));
  await writeHook(hookFile, textAsBytes(CREATED_HEADER + block + CHAIN_SECTION));
  return { action: 'moved-aside', hookFile, savedFile };
}

/**
 * Takes gemleak's block out again, leaving the hook exactly as it was before: a hook gemleak
 * created is deleted when nothing else was added to it, a hook moved aside is put back.
 */
export async function uninstallHook(git: GitContext): Promise<UninstallResult> {
  const hooksDir = await hooksDirectory(git);
  const hookFile = path.join(hooksDir, 'pre-commit');
  const info = await lstat(hookFile).catch(missing);
  if (info === null || !info.isFile()) return { action: 'not-installed', hookFile };
  const text = bytesAsText(await readFile(hookFile).catch(cannot('read', hookFile)));
  const position = findBlock(text);
  if (position === null) return { action: 'not-installed', hookFile };
  if ('damaged' in position) throw damaged(hookFile, position.damaged);
  const rest = removeBlock(text, position);
  if (rest === CREATED_HEADER) {
    await unlink(hookFile).catch(cannot('delete', hookFile));
    return { action: 'deleted', hookFile };
  }
  if (rest === CREATED_HEADER + CHAIN_SECTION) {
    const savedFile = path.join(hooksDir, SAVED_HOOK_NAME);
    if ((await lstat(savedFile).catch(missing)) === null) {
      await unlink(hookFile).catch(cannot('delete', hookFile));
      return { action: 'deleted', hookFile };
    }
    await rename(savedFile, hookFile).catch(cannot('put back', savedFile));
    return { action: 'restored', hookFile, savedFile };
  }
  await writeFile(hookFile, textAsBytes(rest)).catch(cannot('write', hookFile));
  return { action: 'removed-block', hookFile };
}

/** Why gemleak should not edit this existing hook, or null when it is a shell script git runs. */
async function whyNotShell(hookFile: string, info: Stats, content: Buffer | null, executableBits: boolean): Promise<string | null> {
  if (info.isSymbolicLink()) {
    const target = await readlink(hookFile).catch(() => '?');
    return `it is a symbolic link (to ${target}); gemleak will not edit the file it points to`;
  }
  if (content === null) return 'it is not a regular file';
  const kind = classifyHook(content);
  if (kind.kind === 'other') return kind.reason;
  if (executableBits && (info.mode & 0o111) === 0) {
    return 'it is not executable, so git does not run it (make it executable with chmod +x first if you want it to run)';
  }
  return null;
}

/** husky (v9) points core.hooksPath at `.husky/_` and rewrites that folder on every install. */
function refuseHuskyFolder(hooksDir: string, force: boolean): void {
  if (force || path.basename(hooksDir) !== '_' || path.basename(path.dirname(hooksDir)) !== '.husky') return;
  throw new GemleakError('HOOK_HUSKY', 'git runs hooks from husky\'s folder, which husky rewrites on every install; add the line "gemleak check --staged" to .husky/pre-commit instead', {
    file: hooksDir,
  });
}

async function writeHook(hookFile: string, bytes: Buffer): Promise<void> {
  await writeFile(hookFile, bytes, { mode: 0o755 }).catch(cannot('write', hookFile));
  await chmod(hookFile, 0o755).catch(cannot('make executable', hookFile));
}

function damaged(hookFile: string, why: string): GemleakError {
  return new GemleakError('HOOK_BLOCK_DAMAGED', `gemleak's block in this hook is damaged (${why}); fix the hook by hand`, { file: hookFile });
}

/** lstat's answer for a file that is not there; any other failure is reported on the file. */
function missing(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw new GemleakError('HOOK_IO', `cannot look at it (${error.code ?? error.message})`, { file: error.path ?? '' });
}

function cannot(what: string, file: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw new GemleakError('HOOK_IO', `cannot ${what} (${error.code ?? error.message})`, { file });
  };
}
