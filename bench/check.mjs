#!/usr/bin/env node
// Whole-process time of `gemleak check` on the largest real lockfile (~700 gems) against a bare
// `node -e 0` measured in the same run. Goal: at most 1.3x. Usage: node bench/check.mjs [runs]
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compare, gemleakBin, printTable, repoRoot, requireBuild, sharedRoot } from './lib.mjs';

requireBuild();
const runs = Number(process.argv[2] ?? 30);
const lockfile = largestSharedLockfile() ?? path.join(repoRoot, 'examples', 'Gemfile.lock');
const env = { ...process.env, GEMLEAK_HOME: path.join(repoRoot, 'bench', 'out', 'empty-home'), NO_COLOR: '1' };

console.log(`node ${process.version}, ${runs} runs each, interleaved; lockfile: ${path.relative(repoRoot, lockfile)}`);
const rows = compare(
  [
    { name: 'node -e 0 (baseline)', command: process.execPath, args: ['-e', '0'] },
    { name: 'gemleak check <lockfile>', command: process.execPath, args: [gemleakBin, 'check', lockfile], options: { env } },
    { name: 'gemleak check <lockfile> --format json', command: process.execPath, args: [gemleakBin, 'check', lockfile, '--format', 'json'], options: { env } },
  ],
  { runs },
);
printTable(rows, 'node -e 0 (baseline)');
const ratio = rows[1].median / rows[0].median;
console.log(`\ncheck / node -e 0 = ${ratio.toFixed(2)}x (goal: <= 1.30x)`);

function largestSharedLockfile() {
  const dir = path.join(sharedRoot, 'lockfiles');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.lock'))
    .map((name) => path.join(dir, name));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0] ?? null;
}
