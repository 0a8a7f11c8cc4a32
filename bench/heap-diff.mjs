#!/usr/bin/env node
// Wall time and peak memory of `gemleak heap diff A B C` on three realistic dumps of about 1 GB in
// total (3.1 million objects), against baselines measured in the same run: a line-by-line
// JSON.parse pass over the same files, and `heapy diff` when heapy is installed (Debian
// ruby-heapy). Goal: at most 1.6 s and 200 MiB on a 2-core machine. Also, in the same run:
// `--why` (retainer paths from C's reference graph; goal: at most 2x the plain diff's time and
// 1 GiB peak RSS) and `heap grow A B C` (goal: under 3x one plain diff).
//
// Usage: node bench/heap-diff.mjs [--runs N] [--scale S] [--no-heapy]
// The dumps are generated once into bench/out/heap/ (about 30 s) by bench/heap-gen-dumps.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATOR_VERSION, generateDumps } from './heap-gen-dumps.mjs';
import { gemleakBin, median, repoRoot, requireBuild } from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const runs = option('--runs', 5);
const scale = option('--scale', 1);
const withHeapy = !args.includes('--no-heapy');

requireBuild();
const outDir = path.join(repoRoot, 'bench', 'out', 'heap');
const truth = ensureDumps(outDir, scale);
const files = ['A', 'B', 'C'].map((name) => path.join(outDir, `${name}.ndjson`));
const totalBytes = Object.values(truth.sizes).reduce((sum, size) => sum + size.bytes, 0);
const totalObjects = Object.values(truth.sizes).reduce((sum, size) => sum + size.objects, 0);
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

console.log(`node ${process.version}, ${runs} runs each (heapy: 1 run); dumps: ${(totalBytes / 2 ** 20).toFixed(0)} MiB, ${totalObjects} objects in ${path.relative(repoRoot, outDir)}/`);
if (timeTool === null) console.log('(no /usr/bin/time: peak memory is not measured)');
checkGemleakFindsTheLeak();
spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'inherit'] }); // page cache, as for every run after the first

const rows = [
  measure('JSON.parse every line (baseline)', process.execPath, [path.join(repoRoot, 'bench', 'heap-json-parse.mjs'), ...files], runs),
  measure('gemleak heap diff A B C', process.execPath, [gemleakBin, 'heap', 'diff', ...files, '--no-progress'], runs),
  measure('gemleak heap diff A B C --compat heapy', process.execPath, [gemleakBin, 'heap', 'diff', ...files, '--compat', 'heapy'], runs),
  measure('gemleak heap diff A B C --why', process.execPath, [gemleakBin, 'heap', 'diff', ...files, '--why', '--no-progress'], runs),
  measure('gemleak heap grow A B C', process.execPath, [gemleakBin, 'heap', 'grow', ...files, '--no-progress'], runs),
];
const heapy = withHeapy ? findHeapy() : null;
if (heapy !== null) rows.push(measure('heapy diff A B C', heapy, ['diff', ...files], 1));
else if (withHeapy) console.log('(heapy is not installed: apt-get install ruby-heapy to compare with it)');

console.log('');
for (const row of rows) {
  const memory = row.peakMiB === null ? '' : `   peak ${row.peakMiB.toFixed(0).padStart(4)} MiB   cpu ${row.cpu.toFixed(2).padStart(6)} s`;
  console.log(`${row.name.padEnd(42)} median ${row.seconds.toFixed(2).padStart(6)} s   min ${row.min.toFixed(2).padStart(6)} s${memory}`);
}
const gemleak = rows[1];
console.log('');
console.log(`gemleak / JSON.parse baseline: ${(gemleak.seconds / rows[0].seconds).toFixed(2)}x the time`);
if (heapy !== null) {
  const heapyRow = rows.at(-1);
  console.log(
    `heapy / gemleak: ${(heapyRow.seconds / gemleak.seconds).toFixed(1)}x faster, ${heapyRow.peakMiB !== null && gemleak.peakMiB !== null ? `${(heapyRow.peakMiB / gemleak.peakMiB).toFixed(1)}x less memory` : ''}`,
  );
}
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const why = rows.find((row) => row.name.endsWith('--why'));
const grow = rows.find((row) => row.name.includes('heap grow'));
console.log(
  `--why / plain diff: ${(why.seconds / gemleak.seconds).toFixed(2)}x the time (goal <= 2x: ${verdict(why.seconds <= 2 * gemleak.seconds)})${why.peakMiB === null ? '' : `, peak ${why.peakMiB.toFixed(0)} MiB (goal <= 1024: ${verdict(why.peakMiB <= 1024)})`}`,
);
console.log(
  `heap grow / plain diff: ${(grow.seconds / gemleak.seconds).toFixed(2)}x the time (goal < 3x: ${verdict(grow.seconds < 3 * gemleak.seconds)})${grow.peakMiB === null ? '' : `, peak ${grow.peakMiB.toFixed(0)} MiB`}`,
);
// CPU time (user + system) does not depend on how busy the machine is; wall time does.
if (!Number.isNaN(gemleak.cpu)) console.log(`CPU time ratios (load-independent): --why ${(why.cpu / gemleak.cpu).toFixed(2)}x, heap grow ${(grow.cpu / gemleak.cpu).toFixed(2)}x the plain diff`);
console.log(`goal <= 1.6 s wall: ${verdict(gemleak.seconds <= 1.6)} (${gemleak.seconds.toFixed(2)} s)`);
if (gemleak.peakMiB !== null) console.log(`goal <= 200 MiB peak RSS: ${verdict(gemleak.peakMiB <= 200)} (${gemleak.peakMiB.toFixed(0)} MiB)`);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average now: ${load} (other work on the machine slows every row alike)`);

function ensureDumps(dir, wantedScale) {
  const truthFile = path.join(dir, 'truth.json');
  if (existsSync(truthFile)) {
    const existing = JSON.parse(readFileSync(truthFile, 'utf8'));
    if (existing.generator_version === GENERATOR_VERSION && existing.scale === wantedScale) return existing;
  }
  console.log(`generating the dumps into ${path.relative(repoRoot, dir)}/ (once; about 30 s at scale 1)…`);
  return generateDumps(dir, wantedScale);
}

function checkGemleakFindsTheLeak() {
  const result = spawnSync(process.execPath, [gemleakBin, 'heap', 'diff', ...files, '--format', 'json', '--no-progress'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`gemleak heap diff failed: ${result.stderr}`);
  const groups = JSON.parse(result.stdout).groups;
  for (const leak of truth.leaks) {
    const found = groups.find((group) => group.type === leak.type && group.file === leak.file && group.line === leak.line);
    if (found?.count !== leak.count) throw new Error(`expected ${leak.count} ${leak.type} at ${leak.file}:${leak.line}, gemleak reported ${found?.count ?? 0}`);
  }
  console.log(`check: gemleak reports the planted leaks exactly (${truth.leaks.map((leak) => `${leak.type} x${leak.count}`).join(', ')}) and ${groups.length - truth.leaks.length} other groups`);
  const why = spawnSync(process.execPath, [gemleakBin, 'heap', 'diff', ...files, '--why', '--format', 'json', '--no-progress'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (why.status !== 0) throw new Error(`gemleak heap diff --why failed: ${why.stderr}`);
  for (const leak of truth.leaks) {
    const found = JSON.parse(why.stdout).groups.find((group) => group.type === leak.type && group.file === leak.file && group.line === leak.line);
    if (found?.holder?.file !== leak.holder.file || found?.holder?.line !== leak.holder.line)
      throw new Error(`expected --why to name ${leak.holder.file}:${leak.holder.line} for ${leak.type}, got ${JSON.stringify(found?.holder)}`);
  }
  console.log(`check: --why names the planted holders (${truth.leaks.map((leak) => `${leak.holder.type} at ${path.basename(leak.holder.file)}:${leak.holder.line}`).join(', ')})`);
}

function findHeapy() {
  const which = spawnSync('sh', ['-c', 'command -v heapy'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

/** Runs a command `count` times; wall time in seconds, and peak RSS and CPU time (user + system) via /usr/bin/time. */
function measure(name, command, commandArgs, count) {
  const seconds = [];
  const cpu = [];
  let peakKiB = null;
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    const result =
      timeTool === null
        ? spawnSync(command, commandArgs, { stdio: 'ignore' })
        : spawnSync(timeTool, ['-f', 'peak-kib %M cpu %U %S', command, ...commandArgs], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr ?? ''}`);
    const usage = /peak-kib (\d+) cpu ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
    if (usage) {
      peakKiB = Math.max(peakKiB ?? 0, Number(usage[1]));
      cpu.push(Number(usage[2]) + Number(usage[3]));
    }
  }
  return { name, seconds: median(seconds), min: Math.min(...seconds), peakMiB: peakKiB === null ? null : peakKiB / 1024, cpu: cpu.length > 0 ? median(cpu) : Number.NaN };
}
