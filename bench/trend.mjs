#!/usr/bin/env node
// Whole-process `gemleak trend` on a million samples (a ps column, about 7 MB, and the same as
// timestamp,rss_kb CSV), and on one real labelled series from ../shared/memseries when present,
// against `node -e 0` and a baseline that only splits the file into lines and calls Number() on
// each, in the same run (interleaved, medians). Goal: a million samples in under a second.
//
// Usage: node bench/trend.mjs [runs]     (files are generated once into bench/out/trend/)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compare, gemleakBin, printTable, repoRoot, requireBuild, sharedRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 10);
requireBuild();
const outDir = path.join(repoRoot, 'bench', 'out', 'trend');
mkdirSync(outDir, { recursive: true });
const column = path.join(outDir, 'million.ps.txt');
const csv = path.join(outDir, 'million.csv');
if (!existsSync(column) || !existsSync(csv)) {
  // A leak under a GC sawtooth: +0.1 KiB per sample, 500 KiB teeth.
  const values = Array.from({ length: 1_000_000 }, (_, i) => 200_000 + Math.floor(i / 10) + (i % 500));
  writeFileSync(column, `${values.join('\n')}\n`);
  writeFileSync(csv, `timestamp,rss_kb\n${values.map((value, i) => `${1_795_168_800 + i * 5},${value}`).join('\n')}\n`);
}
const baseline = path.join(outDir, 'split-lines.mjs');
writeFileSync(
  baseline,
  "import { readFileSync } from 'node:fs';\nlet sum = 0;\nfor (const line of readFileSync(process.argv[2], 'utf8').split('\\n')) sum += Number(line) || 0;\nif (sum < 0) console.log(sum);\n",
);

const commands = [
  { name: 'node -e 0 (baseline)', command: process.execPath, args: ['-e', '0'] },
  { name: 'split lines + Number() (baseline)', command: process.execPath, args: [baseline, column] },
  { name: 'gemleak trend million.ps.txt', command: process.execPath, args: [gemleakBin, 'trend', column], expectStatus: 0 },
  { name: 'gemleak trend million.ps.txt --format json', command: process.execPath, args: [gemleakBin, 'trend', column, '--format', 'json'], expectStatus: 0 },
  { name: 'gemleak trend million.csv', command: process.execPath, args: [gemleakBin, 'trend', csv], expectStatus: 0 },
];
const real = path.join(sharedRoot, 'memseries', 'cases', 'real', 'r01-a-linear-leak.gcstat.jsonl');
if (existsSync(real)) commands.push({ name: 'gemleak trend r01 (201 GC.stat lines)', command: process.execPath, args: [gemleakBin, 'trend', real], expectStatus: 0 });

console.log(`node ${process.version}, ${runs} interleaved runs each, 1,000,000 samples per generated file`);
printTable(compare(commands, { runs, warmup: 1 }), 'node -e 0 (baseline)');

// CPU time (user + system) of each command: on a shared machine the wall clock above also measures
// the neighbours; this is the work gemleak itself does.
const { spawnSync } = await import('node:child_process');
if (existsSync('/usr/bin/time')) {
  console.log('\nCPU time (user + system), median of 3 runs:');
  for (const command of commands) {
    const seconds = [];
    for (let i = 0; i < 3; i++) {
      const run = spawnSync('/usr/bin/time', ['-f', '%U %S', command.command, ...command.args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      const [user, system] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
      seconds.push(user + system);
    }
    seconds.sort((a, b) => a - b);
    console.log(`${command.name.padEnd(48)} ${(seconds[1] * 1000).toFixed(0).padStart(6)} ms`);
  }
}
