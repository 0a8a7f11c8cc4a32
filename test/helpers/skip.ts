import { spawnSync } from 'node:child_process';
import { it } from 'vitest';
import { SKIP_NO_SHARED, hasShared } from './paths.js';

/**
 * A table read from the corpus has no rows when the corpus is absent, and `it.each([])` declares no
 * test at all: the tests would vanish from the report instead of showing as skipped. Call this
 * beside such an `it.each`: without the corpus it declares one skipped test in their place, named
 * after them and giving the reason.
 */
export function skippedWithoutCorpus(title: string): void {
  if (!hasShared) it.skip(`${title} ${SKIP_NO_SHARED}`, () => {});
}

/**
 * The first line `command args` prints, or null when it cannot run (absent, or failing): the test
 * that needs it skips, naming it. spawnSync of a missing program gives no output at all (null).
 */
export function toolVersion(command: string, args: string[] = ['--version']): string | null {
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (run.error !== undefined || run.status !== 0) return null;
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** `(skipped: <what> is not installed; Debian package <pkg>)`, for a test title. */
export function skipNoTool(what: string, debianPackage: string): string {
  return `(skipped: ${what} is not installed; Debian package ${debianPackage})`;
}
