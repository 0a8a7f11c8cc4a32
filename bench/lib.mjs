// Shared helpers for the bench scripts: timing whole processes, medians, and finding ../shared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedRoot = path.resolve(repoRoot, '../shared');
export const gemleakBin = path.join(repoRoot, 'bin', 'gemleak.js');

export function requireBuild() {
  if (!existsSync(path.join(repoRoot, 'dist', 'bin', 'main.cjs'))) {
    console.error('bench: dist/ is missing; run `npm install` (or `npm run build`) first');
    process.exit(2);
  }
}

/** Wall-clock milliseconds of one run of a command. */
export function timeOnce(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: 'ignore', ...options });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  return { ms: elapsed, status: result.status };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times several commands interleaved (A B C A B C ...), so that machine noise hits them alike,
 * after warm-up runs. Returns the median per command.
 */
export function compare(commands, { runs = 30, warmup = 3 } = {}) {
  const samples = commands.map(() => []);
  for (let i = 0; i < warmup; i += 1) for (const c of commands) timeOnce(c.command, c.args, c.options);
  for (let i = 0; i < runs; i += 1) {
    commands.forEach((c, index) => {
      const { ms, status } = timeOnce(c.command, c.args, c.options);
      if (c.expectStatus !== undefined && status !== c.expectStatus) {
        throw new Error(`${c.name} exited ${status}, expected ${c.expectStatus}`);
      }
      samples[index].push(ms);
    });
  }
  return commands.map((c, index) => ({ name: c.name, median: median(samples[index]), min: Math.min(...samples[index]) }));
}

export function printTable(rows, baseline) {
  const base = rows.find((row) => row.name === baseline);
  for (const row of rows) {
    const ratio = base ? (row.median / base.median).toFixed(2) : '-';
    console.log(`${row.name.padEnd(48)} median ${row.median.toFixed(1).padStart(7)} ms   min ${row.min.toFixed(1).padStart(7)} ms   ${ratio}x`);
  }
}
