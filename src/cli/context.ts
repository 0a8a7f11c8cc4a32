import type { CliIo } from './io.js';

/** What every command gets: the process window and a place to leave its exit code. */
export interface CommandContext {
  io: CliIo;
  /** 0 clean, 1 findings, 2 could not run. Commands set it; `main` returns it. */
  exitCode: number;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** Commander collects repeatable options through this. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a positive whole-number option value, or throws a usage error naming the option. */
export function parseCount(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidOptionValue(`${option} takes a whole number, got '${value}'`);
    }
    return n;
  };
}

/** Thrown from option parsers; commander reports it as a usage error (exit 2). */
export class InvalidOptionValue extends Error {
  override name = 'InvalidOptionValue';
}
