import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

/**
 * The README's `gemleak check` examples are pasted from real runs; these tests rerun them and
 * compare, so a change of the report or of the bundled database cannot leave the README behind.
 */
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const home = mkdtempSync(path.join(tmpdir(), 'gemleak-readme-check-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The lines the README shows after `$ <command>`, up to the next `$ ` line or the end of the block. */
function shownOutput(command: string): string {
  const start = readme.indexOf(`\n$ ${command}\n`);
  if (start < 0) throw new Error(`README.md shows no "$ ${command}"`);
  const body = readme.slice(start + command.length + 4);
  const end = body.search(/^(\$ |```)/m);
  return body.slice(0, end);
}

describe('README check examples are real output', () => {
  it.each([
    { command: 'gemleak check examples/Gemfile.lock', status: 1 },
    { command: 'gemleak check examples/Gemfile.lock --format table', status: 1 },
    { command: 'gemleak check examples/clean', status: 0 },
  ])('$command', ({ command, status }) => {
    // Paths under the repository print relative to it; the clean report's footer has no path.
    const run = runCli(command.split(' ').slice(1), { env: { GEMLEAK_HOME: home } });
    expect(run.status).toBe(status);
    expect(run.stdout).toBe(shownOutput(command));
  });

  it('shows the exit code the sample lockfile really gives', () => {
    expect(readme).toContain('$ gemleak check examples/Gemfile.lock\n');
    expect(shownOutput('echo $?')).toBe('1\n');
  });
});
