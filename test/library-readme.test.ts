import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

/**
 * The README's "Library API" section must stay runnable: its ```js snippet is run against the
 * build (with `'gemleak'` resolved to dist/index.js) and must print what the README says it prints.
 */
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start, next < 0 ? undefined : next);
}

function fencedBlock(markdown: string, language: string): string {
  const match = markdown.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\`\\n`));
  if (!match?.[1]) throw new Error(`no \`\`\`${language} block`);
  return match[1];
}

const section = sectionOf(readme, '## Library API');
const snippet = fencedBlock(section, 'js');
const expectedOutput = fencedBlock(section, 'text');
const scratch = mkdtempSync(path.join(tmpdir(), 'gemleak-library-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('README Library API example', () => {
  it('imports from the package name only', () => {
    expect(snippet).toMatch(/^import \{ runCheck, renderReport \} from 'gemleak';$/m);
  });

  it('runs against dist/ and prints exactly the output the README shows', () => {
    const entry = pathToFileURL(path.join(repoRoot, 'dist', 'index.js')).href;
    const script = path.join(scratch, 'example.mjs');
    writeFileSync(script, snippet.replace("from 'gemleak'", `from '${entry}'`));
    // From the repository's root, as the README says; an empty GEMLEAK_HOME so no synced copy counts.
    const run = spawnSync(process.execPath, [script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: cliEnv({ GEMLEAK_HOME: path.join(scratch, 'home') }),
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expectedOutput);
    expect(run.stdout).toContain('exit code 1');
  });
});
