#!/usr/bin/env node
// What the pre-commit hook costs: whole-process time of `gemleak check --staged` in a real git
// repository, (a) on a commit that stages no lockfile, (b) on one that stages a ~700-gem lockfile,
// against a bare `node -e 0` in the same run. Goal for (a): node start-up plus one git call.
// Usage: node bench/hook.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, gemleakBin, printTable, repoRoot, requireBuild, sharedRoot } from './lib.mjs';

requireBuild();
const runs = Number(process.argv[2] ?? 30);
const work = mkdtempSync(path.join(os.tmpdir(), 'gemleak-bench-hook-'));
try {
  const { text: lockfile, origin } = bigLockfile();
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  const env = { ...gitEnv, GEMLEAK_HOME: path.join(work, 'empty-home'), NO_COLOR: '1' };

  // (a) the lockfile is committed; the commit being prepared stages only a README.
  const quiet = repository('no-lockfile', { 'Gemfile.lock': lockfile }, gitEnv);
  writeFileSync(path.join(quiet, 'README.md'), 'changed\n');
  git(quiet, ['add', 'README.md'], gitEnv);
  // (b) the commit being prepared stages the whole lockfile.
  const busy = repository('lockfile', { 'README.md': 'hello\n' }, gitEnv);
  writeFileSync(path.join(busy, 'Gemfile.lock'), lockfile);
  git(busy, ['add', 'Gemfile.lock'], gitEnv);

  const gems = (lockfile.match(/^ {4}\S/gm) ?? []).length;
  const stagedStatus = spawnSync(process.execPath, [gemleakBin, 'check', '--staged'], { cwd: busy, env, stdio: 'ignore' }).status;
  if (stagedStatus !== 0 && stagedStatus !== 1) throw new Error(`gemleak check --staged exited ${stagedStatus} on the staged lockfile`);

  console.log(`node ${process.version}, ${runs} runs each, interleaved; staged lockfile: ${origin} (${gems} gems; exit ${stagedStatus})`);
  const rows = compare(
    [
      { name: 'node -e 0 (baseline)', command: process.execPath, args: ['-e', '0'] },
      { name: 'git diff --cached (the one git call)', command: 'git', args: ['diff', '--cached', '--raw', '-z'], options: { cwd: quiet, env } },
      { name: 'gemleak hook --help (CLI start-up alone)', command: process.execPath, args: [gemleakBin, 'hook', '--help'], options: { cwd: quiet, env }, expectStatus: 0 },
      { name: 'gemleak check --staged (no lockfile staged)', command: process.execPath, args: [gemleakBin, 'check', '--staged'], options: { cwd: quiet, env }, expectStatus: 0 },
      { name: 'gemleak check --staged (lockfile staged)', command: process.execPath, args: [gemleakBin, 'check', '--staged'], options: { cwd: busy, env }, expectStatus: stagedStatus },
    ],
    { runs },
  );
  printTable(rows, 'node -e 0 (baseline)');
  const [node, gitCall, startup, none, staged] = rows;
  console.log(`\nno lockfile staged: ${(none.median - node.median).toFixed(1)} ms over node -e 0 (${(none.median / node.median).toFixed(2)}x), of which`);
  console.log(
    `  CLI start-up (commander, command modules): ${(startup.median - node.median).toFixed(1)} ms; the rest, ${(none.median - startup.median).toFixed(1)} ms, is the git call (${gitCall.median.toFixed(1)} ms alone) and its process`,
  );
  console.log(`lockfile staged:    ${(staged.median - node.median).toFixed(1)} ms over node -e 0 (${(staged.median / node.median).toFixed(2)}x)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function repository(name, files, env) {
  const dir = path.join(work, name);
  git(work, ['-c', 'init.defaultBranch=main', 'init', '-q', dir], env);
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  git(dir, ['add', '.'], env);
  git(dir, ['commit', '-q', '-m', 'start'], env);
  return dir;
}

function git(cwd, args, env) {
  execFileSync('git', args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The largest real lockfile in ../shared (about 700 gems), or a generated one of 700 gems. */
function bigLockfile() {
  const dir = path.join(sharedRoot, 'lockfiles');
  if (existsSync(dir)) {
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.lock'))
      .map((name) => path.join(dir, name));
    const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (largest) return { text: readFileSync(largest, 'utf8'), origin: path.relative(repoRoot, largest) };
  }
  const names = Array.from({ length: 700 }, (_, i) => `gem-${String(i).padStart(3, '0')}`);
  const text = [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    ...names.map((name, i) => `    ${name} (1.${i % 10}.${i})`),
    '',
    'PLATFORMS',
    '  ruby',
    '',
    'DEPENDENCIES',
    ...names.map((name) => `  ${name}`),
    '',
    'BUNDLED WITH',
    '   2.4.22',
    '',
  ].join('\n');
  return { text, origin: 'generated (../shared is absent)' };
}
