import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, gemleakBin } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';

// What a run loads decides most of its start-up time (each module is a file to resolve, read and
// compile): `gemleak check`, run on every commit, must load the CLI and the check, and nothing else.
let root: string;
let hooks: string;
let count = 0;

beforeAll(() => {
  root = tempDir('gemleak-startup-');
  hooks = path.join(root, 'log-modules.mjs');
  writeFileSync(
    hooks,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
      'import { appendFileSync } from "node:fs"; export async function load(url, context, next) { if (url.startsWith("file:")) appendFileSync(process.env.GEMLEAK_TEST_MODULE_LOG, url + "\\n"); return next(url, context); }',
    )}));\n`,
  );
  writeTree(root, { 'app/Gemfile.lock': readFileSync(path.join(repoRoot, 'examples', 'Gemfile.lock'), 'utf8') });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The sources (as esbuild's inputs name them) in each dist/bin file the run loaded. */
function loadedBy(args: string[]): { status: number | null; stdout: string; files: string[]; sources: string[] } {
  const log = path.join(root, `modules-${++count}.txt`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', hooks, gemleakBin, ...args], {
    cwd: path.join(root, 'app'),
    env: cliEnv({ GEMLEAK_TEST_MODULE_LOG: log }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const inputs = JSON.parse(readFileSync(path.join(repoRoot, 'dist', 'bin', 'inputs.json'), 'utf8')) as Record<string, string[]>;
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.includes('/dist/bin/'))
    .map((url) => url.slice(url.lastIndexOf('/') + 1));
  return { status: result.status, stdout: result.stdout, files, sources: files.flatMap((file) => inputs[file] ?? [`unknown output ${file}`]) };
}

describe('start-up: what a command loads', () => {
  it('gemleak check (text, the default) loads main.js, its runtime helpers and check.js: nothing of the other commands', () => {
    const { status, files, sources } = loadedBy(['check']);
    expect(status).toBe(1);
    expect(files).toContain('main.js');
    expect(files).toContain('check.js');
    expect(files.filter((file) => file !== 'main.js' && file !== 'check.js' && !file.startsWith('chunk-'))).toEqual([]);
    // At most esbuild's runtime helpers (commander is CommonJS) as a chunk of their own.
    expect(files.filter((file) => file.startsWith('chunk-')).length).toBeLessThanOrEqual(1);
    expect(sources.filter((file) => /^src\/(heap|trend|doctor|hook|cli\/update|cli\/commands\/(?!check|version))/.test(file))).toEqual([]);
    expect(sources).toContain('src/report/text.ts');
    expect(sources.filter((file) => file.includes('node_modules/') && !file.includes('node_modules/commander/'))).toEqual([]);
  });

  it('gemleak heap --help declares only heap, and still shows its subcommands', () => {
    const { status, stdout, sources } = loadedBy(['heap', '--help']);
    expect(status).toBe(0);
    for (const sub of ['diff', 'summary', 'path', 'grow']) expect(stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    expect(sources).toContain('src/cli/commands/heap.ts');
    expect(sources.filter((file) => /^src\/cli\/commands\/(trend|doctor|db|hook|update)\.ts$/.test(file))).toEqual([]);
  });
});
