import { spawn } from 'node:child_process';
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
 * Throws GemleakError (exit 2) when git is missing or fails, with git's own first line of complaint.
 */
export function runGit(git: GitContext, args: string[], input?: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: git.cwd,
      // Read-only calls: never take the index lock just to refresh stat data (a `git commit` holds it).
      env: { ...git.env, GIT_OPTIONAL_LOCKS: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new GemleakError('GIT_MISSING', 'git was not found on PATH (gemleak needs it to read what is staged)')
          : new GemleakError('GIT_FAILED', `cannot run git (${error.code ?? error.message})`),
      );
    });
    child.on('close', (status) => {
      if (status === 0) {
        resolve(Buffer.concat(out));
        return;
      }
      reject(gitFailure(git.cwd, args, Buffer.concat(err).toString('utf8'), status));
    });
    // A git that exits before reading its input closes the pipe; that is reported by `close`, not here.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
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
  const command = `git ${args.slice(first).filter((arg) => !arg.startsWith(':(')).slice(0, 3).join(' ')}`;
  return new GemleakError('GIT_FAILED', `${command} failed${status === null ? '' : ` (exit ${status})`}${said ? `: ${said}` : ''}`);
}

/** Splits git's `-z` output into its fields. */
export function splitNul(output: Buffer): string[] {
  const text = output.toString('utf8');
  const fields = text.split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  return fields;
}
