import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, gemleakBin } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';

// `gemleak check` runs on every commit: its start-up is most of its cost. The CLI is one CommonJS
// bundle compiled with the V8 code cache the build made (bin/load-cli.js), and a check loads no
// package and no built-in module that only other commands use.
let root: string;
let app: string;
let preload: string;
let count = 0;

beforeAll(() => {
  root = tempDir('gemleak-startup-');
  app = path.join(root, 'app');
  writeTree(app, { 'Gemfile.lock': readFileSync(path.join(repoRoot, 'examples', 'Gemfile.lock'), 'utf8') });
  preload = path.join(root, 'log-modules.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.GEMLEAK_TEST_MODULE_LOG, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n",
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function node(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, { cwd: app, env: cliEnv(env), encoding: 'utf8', timeout: 60_000 });
}

/** The built-in modules and the files `require` loaded during a run of the real command. */
function modulesLoadedBy(args: string[]): { status: number | null; builtins: string[]; files: string[] } {
  const log = path.join(root, `modules-${++count}.json`);
  const result = node(['--require', preload, gemleakBin, ...args], { GEMLEAK_TEST_MODULE_LOG: log });
  const loaded = JSON.parse(readFileSync(log, 'utf8')) as { builtins: string[]; files: string[] };
  return { status: result.status, builtins: loaded.builtins.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length)), files: loaded.files };
}

describe('start-up: the bundle and its code cache', () => {
  it('the command compiles the bundle with the code cache the build made for it', () => {
    const result = node(['-e', `process.stdout.write(require(${JSON.stringify(path.join(repoRoot, 'bin', 'load-cli.js'))}).loadCli().codeCache)`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('used');
  });

  it('the bundle is a CommonJS module body in its wrapper, strict mode on, ASCII only (read as latin1), with a build id', () => {
    const source = readFileSync(path.join(repoRoot, 'dist', 'bin', 'main.cjs'), 'latin1');
    expect(source).toMatch(/^\(function \(exports, require, module, __filename, __dirname\) \{\n"use strict";\n/);
    expect(source).toMatch(/\n\}\)\n\n\/\/ gemleak-build [0-9a-f]{16}\n$/);
    expect(source).not.toMatch(/[^\x00-\x7f]/);
  });

  it('gemleak check loads no dependency and none of the built-ins of the other commands (git, workers, streams, YAML)', () => {
    const { status, builtins, files } = modulesLoadedBy(['check']);
    expect(status).toBe(1);
    expect(files.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
    expect(builtins.filter((name) => /^(child_process|worker_threads|readline|net|stream|tty|zlib|crypto|internal\/modules\/esm\/module_job)$/.test(name))).toEqual([]);
  });

  it('the pre-commit run with nothing staged loads no dependency either (git is run, nothing else)', () => {
    const repo = path.join(root, `repo-${++count}`);
    mkdirSync(repo);
    expect(spawnSync('git', ['init', '-q', repo], { env: cliEnv() }).status).toBe(0);
    const log = path.join(root, `modules-${count}.json`);
    const result = spawnSync(process.execPath, ['--require', preload, gemleakBin, 'check', '--staged'], {
      cwd: repo,
      env: cliEnv({ GEMLEAK_TEST_MODULE_LOG: log }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    const { files } = JSON.parse(readFileSync(log, 'utf8')) as { files: string[] };
    expect(files.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
  });
});

describe('start-up: without a usable code cache', () => {
  /** A copy of the installed package (its dependencies linked), whose cache a test may spoil. */
  function packageCopy(): string {
    const copy = path.join(root, `package-${++count}`);
    for (const part of ['bin', 'dist', 'advisories', 'package.json']) cpSync(path.join(repoRoot, part), path.join(copy, part), { recursive: true });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
    return copy;
  }

  const expected = () => node([gemleakBin, 'check']);
  const loaderState = (copy: string) => node(['-e', `process.stdout.write(require(${JSON.stringify(path.join(copy, 'bin', 'load-cli.js'))}).loadCli().codeCache)`]).stdout;

  it.each([
    ['made from another build of the bundle', (cache: Buffer) => Buffer.concat([Buffer.from('gemleak-code-cache 0000000000000000\n'), cache.subarray(cache.indexOf(10) + 1)]), 'none'],
    ['whose V8 data is damaged', (cache: Buffer) => Buffer.concat([cache.subarray(0, cache.indexOf(10) + 1), Buffer.alloc(4096, 7)]), 'rejected'],
    ['that is empty', () => Buffer.alloc(0), 'none'],
  ])('a cache %s is not used, and the check gives the same report', (_name, spoil, state) => {
    const copy = packageCopy();
    const cacheFile = path.join(copy, 'dist', 'bin', 'main.cjs.cache');
    writeFileSync(cacheFile, spoil(readFileSync(cacheFile)));
    expect(loaderState(copy)).toBe(state);
    const run = node([path.join(copy, 'bin', 'gemleak.js'), 'check']);
    const reference = expected();
    expect(run.status).toBe(1);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: reference.status, stdout: reference.stdout, stderr: reference.stderr });
  });

  it('a missing cache is not needed', () => {
    const copy = packageCopy();
    rmSync(path.join(copy, 'dist', 'bin', 'main.cjs.cache'));
    expect(loaderState(copy)).toBe('none');
    const run = node([path.join(copy, 'bin', 'gemleak.js'), 'check']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(expected().stdout);
  });
});

describe('start-up: an unbuilt checkout', () => {
  it('says in one line that the CLI is not built, exit 2, no stack trace', () => {
    const copy = path.join(root, `unbuilt-${++count}`);
    for (const part of ['bin', 'package.json']) cpSync(path.join(repoRoot, part), path.join(copy, part), { recursive: true });
    const run = node([path.join(copy, 'bin', 'gemleak.js'), 'check']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('gemleak: the CLI is not built (dist/bin/main.cjs is missing); run `npm install` or `npm run build` in its folder\n');
  });
});

describe('start-up: commands declared on demand', () => {
  it('gemleak heap --help lists the heap subcommands; gemleak --help lists every command', () => {
    const heap = node([gemleakBin, 'heap', '--help']);
    expect(heap.status).toBe(0);
    for (const sub of ['diff', 'summary', 'path', 'grow']) expect(heap.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    const all = node([gemleakBin, '--help']);
    for (const command of ['check', 'update', 'db', 'hook', 'heap', 'doctor', 'trend']) expect(all.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});
