import { fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GemleakError } from '../errors.js';
import { terminalLine } from '../terminal.js';

/**
 * The CLI's window on the process: streams, environment and working directory. Commands take this
 * instead of reaching for `process`, so the library below never touches the process at all.
 */
interface Output {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/**
 * The real process. Output goes straight to file descriptors 1 and 2 with synchronous writes:
 * touching `process.stdout` builds a stream object (and loads the net and stream modules for a
 * pipe), several milliseconds that the pre-commit hook would pay on every commit for a line of text.
 */
export function processIo(): CliIo {
  return {
    stdout: { write: (text: string) => writeAll(1, text) },
    stderr: { write: (text: string) => writeAll(2, text) },
    env: process.env,
    cwd: process.cwd(),
    // Asked only when colour is decided, which most runs (NO_COLOR, FORCE_COLOR, no output) never do.
    get stdoutIsTTY() {
      return isTerminal(1);
    },
    get stderrIsTTY() {
      return isTerminal(2);
    },
  };
}

/**
 * isatty(fd), without loading node:tty when the answer is plainly no: node:tty loads node:net and
 * the streams stack, several milliseconds. A terminal is a character device, and /dev/null (where
 * hooks and benchmarks often send output) is one that is never a terminal.
 */
function isTerminal(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    const devNull = process.platform === 'win32' ? undefined : statSync('/dev/null', { throwIfNoEntry: false });
    if (devNull !== undefined && devNull.rdev === stats.rdev) return false;
  } catch {
    return false;
  }
  const { isatty } = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return isatty(fd);
}

/**
 * Writes all of `text`, retrying on a non-blocking descriptor that is momentarily full.
 *
 * A reader that went away (`gemleak check | head -1`) is its choice, not an error of ours: the rest
 * of the output is dropped and the command runs to its end, so its exit code (1 for findings, 2 for
 * an error) is still the process's. Any other failure on stdout (a full disk, `> /dev/full`) is an
 * error the user must see (exit 2, one line). A failing stderr has nowhere left to report to: its
 * text is dropped and the exit code says the rest.
 */
function writeAll(fd: number, text: string): void {
  if (closed.has(fd)) return;
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      closed.add(fd);
      if (code === 'EPIPE' || fd === 2) return;
      throw new GemleakError('OUTPUT_FAILED', `cannot write to ${fd === 1 ? 'stdout' : `descriptor ${fd}`}: ${describeWriteError(code)}`);
    }
  }
}

/** Descriptors whose reader left or whose disk is full: later writes to them are dropped. */
const closed = new Set<number>();

function describeWriteError(code: string | undefined): string {
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EIO') return 'input/output error';
  return code ?? 'write failed';
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Colours only on a terminal, never with NO_COLOR (any non-empty value), forced by FORCE_COLOR. */
export function useColor(io: CliIo, stream: 'stdout' | 'stderr'): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
}

/** Writes a one-line warning to stderr, its control characters escaped (it may quote a file). */
export function warn(io: CliIo, message: string): void {
  io.stderr.write(`gemleak: warning: ${terminalLine(message)}\n`);
}

/**
 * Writes a command's report: to stdout, or with `--output FILE` to that file (one line and exit 2
 * when it cannot be written). Every command that takes `--output` goes through here.
 */
export async function writeReport(io: CliIo, text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    io.stdout.write(text);
    return;
  }
  const [{ writeFile }, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  await writeFile(path.resolve(io.cwd, output), text).catch((error: NodeJS.ErrnoException) => {
    throw new GemleakError('OUTPUT_UNWRITABLE', `cannot write the report (${error.code ?? error.message})`, { file: output });
  });
}
