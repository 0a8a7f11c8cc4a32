#!/usr/bin/env node
// Peak memory of `gemleak heap summary DUMP` as the dump grows, to show that it depends on the number
// of groups (allocation sites, class names) and a constant, not on the dump's size. Two series:
//   - prefixes of the benchmark's C dump (1/16, 1/4, all of it: 16x the bytes), whose number of
//     sites grows too, but much more slowly than the bytes;
//   - generated dumps with a fixed 40 sites at the same sizes, where memory must not grow at all.
// Each row: dump size, its groups, peak RSS (median of the runs, with the range), RSS above a
// `node -e 0` baseline and above the constant (the small 40-site dump) measured in the same run, the
// latter per 1000 groups the scan holds, and wall time. Goal: the summary of C's first half (196 MB) well under 200 MB peak RSS.
//
// Usage: node bench/heap-summary.mjs [--runs N] [--bin path/to/other/bin/gemleak.js (e.g. an older build)]
// Needs the dumps of bench/heap-diff.mjs (bench/out/heap/C.ndjson) and /usr/bin/time (Debian `time`).
// Prefixes and generated dumps go to a temporary folder, removed at the end.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gemleakBin, median, repoRoot, requireBuild } from './lib.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const binAt = args.indexOf('--bin');
const bin = binAt >= 0 ? path.resolve(args[binAt + 1]) : gemleakBin;
const timeTool = '/usr/bin/time';

requireBuild();
const dumpC = path.join(repoRoot, 'bench', 'out', 'heap', 'C.ndjson');
if (!existsSync(dumpC)) {
  console.error('bench: bench/out/heap/C.ndjson is missing; run `node bench/heap-diff.mjs` (or bench/heap-gen-dumps.mjs) first');
  process.exit(2);
}
if (!existsSync(timeTool)) {
  console.error('bench: /usr/bin/time is missing (apt-get install time): peak memory cannot be measured');
  process.exit(2);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gemleak-bench-summary-'));
try {
  const fullBytes = statSync(dumpC).size;
  const sizes = [Math.floor(fullBytes / 16), Math.floor(fullBytes / 4), Math.floor(fullBytes / 2), fullBytes];
  const prefixes = sizes.map((bytes) => (bytes === fullBytes ? dumpC : writePrefix(dumpC, bytes, path.join(tmp, `C-${mib(bytes)}MiB.ndjson`))));
  const fixed = [sizes[0], sizes[3]].map((bytes) => writeFixedSites(path.join(tmp, `fixed-${mib(bytes)}MiB.ndjson`), bytes, 40));
  const all = [...prefixes, ...fixed];
  for (const file of all) spawnSync('cat', [file], { stdio: 'ignore' }); // page cache, as for every run after the first

  const baseline = [];
  const samples = new Map(all.map((file) => [file, { rss: [], seconds: [] }]));
  // Interleaved: machine noise hits every dump alike.
  for (let run = 0; run < runs; run += 1) {
    baseline.push(peakOf(process.execPath, ['-e', '0']).rss);
    for (const file of all) {
      const { rss, seconds } = peakOf(process.execPath, [bin, 'heap', 'summary', file, '--no-progress']);
      samples.get(file).rss.push(rss);
      samples.get(file).seconds.push(seconds);
    }
  }
  const base = median(baseline);
  // The constant: what a summary costs with next to no groups (the CLI, its threads, read buffers).
  const constant = median(samples.get(fixed[0]).rss);
  console.log(`${path.relative(repoRoot, bin)}, node ${process.version}, ${os.availableParallelism()} cores, ${runs} interleaved runs each`);
  console.log(`baseline node -e 0: peak ${base.toFixed(1)} MiB; constant (the ${mib(sizes[0])} MiB dump with 40 sites): ${constant.toFixed(1)} MiB`);
  const header = `${'dump'.padEnd(22)} ${'MiB'.padStart(5)} ${'sites'.padStart(6)} ${'keys'.padStart(6)} ${'classes'.padStart(7)}   ${'peak RSS MiB (range)'.padEnd(21)} ${'-node'.padStart(6)} ${'-constant'.padStart(9)} ${'per 1k'.padStart(6)} ${'time s'.padStart(7)}`;
  for (const [title, files] of [
    ['Prefixes of C (the benchmark dump):', prefixes],
    ['Generated, 40 sites at any size:', fixed],
  ]) {
    console.log(`\n${title}\n${header}`);
    for (const file of files) {
      const sites = sitesOf(file);
      const { keys, classes } = await keysOf(file);
      const { rss, seconds } = samples.get(file);
      const peak = median(rss);
      const range = `${peak.toFixed(1)} (${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)})`;
      const perThousand = keys + classes >= 1000 ? (((peak - constant) / (keys + classes)) * 1000).toFixed(2) : '-';
      console.log(
        `${path.basename(file).padEnd(22)} ${mib(statSync(file).size).padStart(5)} ${String(sites).padStart(6)} ${String(keys).padStart(6)} ${String(classes).padStart(7)}   ${range.padEnd(21)} ${(peak - base).toFixed(1).padStart(6)} ${(peak - constant).toFixed(1).padStart(9)} ${perThousand.padStart(6)} ${median(seconds).toFixed(2).padStart(7)}`,
      );
    }
  }
  const half = samples.get(prefixes[2]);
  console.log(`\ngoal: the ${mib(sizes[2])} MiB half of C under 200 MB peak RSS: ${median(half.rss) * 1.048576 < 200 ? 'met' : 'NOT met'} (${(median(half.rss) * 1.048576).toFixed(0)} MB)`);
  console.log('sites: allocation sites with a file or line (as --format json lists them); keys: distinct (type, class address,');
  console.log('file, line) the scan tallies before classes are named; classes: CLASS/MODULE names kept; per 1k: MiB above the');
  console.log('constant per 1000 keys + classes (the groups the scan holds).');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function mib(bytes) {
  return (bytes / 2 ** 20).toFixed(0);
}

/** Peak RSS in MiB and wall time in seconds of one run, via /usr/bin/time. */
function peakOf(command, commandArgs) {
  const start = process.hrtime.bigint();
  const result = spawnSync(timeTool, ['-f', 'peak-kib %M', command, ...commandArgs], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.status}: ${result.stderr}`);
  const peak = /peak-kib (\d+)/.exec(result.stderr);
  if (peak === null) throw new Error(`no peak RSS in: ${result.stderr}`);
  return { rss: Number(peak[1]) / 1024, seconds };
}

function sitesOf(file) {
  const result = spawnSync(process.execPath, [bin, 'heap', 'summary', file, '--format', 'json', '--no-progress'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`gemleak heap summary ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout).sites.length;
}

/**
 * What the scan keeps while it reads: one entry per distinct (type, class address, file, line), named
 * only at the end (the same class name can have many addresses), and one per CLASS/MODULE record.
 * Counted by this build's own scanner, on one thread.
 */
async function keysOf(file) {
  const { runScanJob } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'heap', 'scan-jobs.js')).href);
  const source = { path: file, label: file, gzip: false, start: 0, end: statSync(file).size, stripBom: true };
  const result = await runScanJob({ kind: 'summary', source }, () => {});
  return { keys: result.sites.size, classes: result.classNames.size };
}

/** The first `bytes` of `from`, cut back to the end of a line. */
function writePrefix(from, bytes, to) {
  const buffer = Buffer.alloc(bytes);
  const input = openSync(from, 'r');
  const read = readSync(input, buffer, 0, bytes, 0);
  closeSync(input);
  const end = buffer.lastIndexOf(0x0a, read - 1) + 1;
  const output = openSync(to, 'w');
  writeSync(output, buffer, 0, end);
  closeSync(output);
  return to;
}

/** A dump of about `bytes` of STRING objects spread over `sites` allocation sites (and 20 classes). */
function writeFixedSites(to, bytes, sites) {
  const output = openSync(to, 'w');
  let written = writeSync(output, '{"type":"ROOT", "root":"vm", "references":["0x7f0000001000"]}\n');
  const classAddress = (index) => `0x${(0x7f0000001000 + index * 40).toString(16)}`;
  for (let index = 0; index < 20; index += 1) {
    written += writeSync(output, `{"address":"${classAddress(index)}", "type":"CLASS", "class":"0x7f0000100000", "name":"Model${index}", "references":[], "memsize":600}\n`);
  }
  for (let object = 0; written < bytes; ) {
    const lines = [];
    for (let i = 0; i < 4096; i += 1, object += 1) {
      const site = object % sites;
      lines.push(
        `{"address":"0x${(0x7f3820000000 + object * 40).toString(16)}", "type":"STRING", "class":"${classAddress(site % 20)}", "bytesize":24, "value":"abcdefghijklmnopqrstuvwx", "encoding":"UTF-8", "file":"/srv/app/models/model_${site}.rb", "line":${site + 1}, "method":"build", "generation":${object % 97}, "memsize":40, "flags":{"wb_protected":true}}\n`,
      );
    }
    written += writeSync(output, lines.join(''));
  }
  closeSync(output);
  return to;
}
