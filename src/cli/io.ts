/**
 * The CLI's window on the process: streams, environment and working directory. Commands take this
 * instead of reaching for `process`, so the library below never touches the process at all.
 */
export interface Output {
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

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

/** Colours only on a terminal, never with NO_COLOR (any non-empty value), forced by FORCE_COLOR. */
export function useColor(io: CliIo, stream: 'stdout' | 'stderr'): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
}

/** Writes a one-line warning to stderr. */
export function warn(io: CliIo, message: string): void {
  io.stderr.write(`gemleak: warning: ${message}\n`);
}
