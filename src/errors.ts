/**
 * Every failure gemleak expects is a GemleakError: it carries the exit code and, where it is known,
 * the file and line at fault. The CLI catches it once and prints `file:line: message` on one line.
 * Anything else that escapes is a bug and is reported as such.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
}

export class GemleakError extends Error {
  readonly exitCode: number;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** A stable, machine-readable code such as `LOCKFILE_CONFLICT` (tests assert codes, not wording). */
  readonly code: string;

  constructor(code: string, message: string, options: ErrorLocation & { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GemleakError';
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
    this.file = options.file;
    this.line = options.line;
  }

  /** The one-line form the CLI prints: `file:line: message`. */
  describe(): string {
    if (this.file === undefined) return this.message;
    return this.line === undefined ? `${this.file}: ${this.message}` : `${this.file}:${this.line}: ${this.message}`;
  }
}

/** A bad command line: unknown flag, missing argument, contradictory options. */
export class UsageError extends GemleakError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export function isGemleakError(error: unknown): error is GemleakError {
  return error instanceof GemleakError;
}
