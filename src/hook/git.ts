import { spawnSync } from 'node:child_process';
import { GemleakError } from '../errors.js';

/**
 * Where and how git runs. `env` is passed through whole: inside a hook git sets GIT_DIR,
 * GIT_INDEX_FILE and friends (for `git commit -a` the index is a temporary file), and the child
 * git must see them, relative paths included, so it also runs in the hook's own directory.
 */
export interface GitContext {
  cwd: string;
  env: Record<string, string | undefined>;
}

/**
 * Runs one git command and returns its standard output as bytes. Plain `child_process` on purpose:
 * this is on the hot path of every commit, where loading a git library would cost more than git.
 * Synchronous too: a one-shot CLI has nothing to do meanwhile, and spawnSync needs no stream objects
 * or event-loop round trips for the pipes. Throws GemleakError (exit 2) when git is missing or
 * fails, with git's own first line of complaint.
 */
export async function runGit(git: GitContext, args: string[], input?: Buffer | string): Promise<Buffer> {
  const result = spawnSync('git', args, {
    cwd: git.cwd,
    // Read-only calls: never take the index lock just to refresh stat data (a `git commit` holds it).
    env: { ...git.env, GIT_OPTIONAL_LOCKS: '0' },
    input: input ?? '',
    maxBuffer: Number.POSITIVE_INFINITY,
    windowsHide: true,
  });
  // A git that exits before reading its input closes the pipe (EPIPE): its exit status says what happened.
  if (result.error !== undefined && result.status === null) {
    const error = result.error as NodeJS.ErrnoException;
    throw error.code === 'ENOENT'
      ? new GemleakError('GIT_MISSING', 'git was not found on PATH (gemleak needs it to read what is staged)')
      : new GemleakError('GIT_FAILED', `cannot run git (${error.code ?? error.message})`);
  }
  if (result.status === 0) return result.stdout;
  throw gitFailure(git.cwd, args, result.stderr.toString('utf8'), result.status);
}

function gitFailure(cwd: string, args: string[], stderr: string, status: number | null): GemleakError {
  const said = stderr
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('hint:'));
  if (said !== undefined && /not a git repository/i.test(said)) {
    return new GemleakError('NOT_A_GIT_REPOSITORY', `not inside a git repository (git says: ${said})`, { file: cwd });
  }
  let first = 0;
  while (args[first] === '-c') first += 2;
  const command = `git ${args
    .slice(first)
    .filter((arg) => !arg.startsWith(':('))
    .slice(0, 3)
    .join(' ')}`;
  return new GemleakError('GIT_FAILED', `${command} failed${status === null ? '' : ` (exit ${status})`}${said ? `: ${said}` : ''}`);
}

/**
 * Splits git's `-z` output into its fields. Paths are bytes: a byte that is not UTF-8 is kept (as
 * `decodeFileName` keeps it) so that it can be shown and quoted as it is, not as U+FFFD.
 */
export function splitNul(output: Buffer): string[] {
  const text = decodeFileName(output);
  const fields = text.split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  return fields;
}

/**
 * File-name bytes as a string without losing any: valid UTF-8 is decoded, and each byte that is not
 * part of valid UTF-8 becomes the lone surrogate U+DC80+byte (as Python's `surrogateescape`), which
 * `terminalLine` shows as `\xHH` and `shellWord` turns back into that byte.
 */
function decodeFileName(bytes: Uint8Array): string {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      text += String.fromCharCode(0xdc00 + bytes[i]!);
      i += 1;
    } else {
      text += Buffer.from(bytes.subarray(i, i + length)).toString('utf8');
      i += length;
    }
  }
  return text;
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), 0 if none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[i + k];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (lead === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (lead >= 0xe1 && lead <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (lead === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (lead >= 0xf1 && lead <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (lead === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
