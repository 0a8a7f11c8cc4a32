#!/usr/bin/env node
// Whole-process time of `gemleak check` on the largest real lockfile (~700 gems) against a bare
// `node -e 0` measured in the same run. Goal: at most 1.3x. Usage: node bench/check.mjs [runs]
//
// Node loads the certificates of NODE_EXTRA_CA_CERTS at start-up, before any JavaScript runs: with
// a full CA bundle that doubles a bare `node -e 0` (about 30 ms more here), which flatters every
// ratio against it. So when it is set, the same commands are also timed without it, and both
// ratios are printed: the one without is what a machine without the variable sees.
import { cpSync, existsSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { compare, gemleakBin, printTable, repoRoot, requireBuild, sharedRoot } from './lib.mjs';

requireBuild();
const runs = Number(process.argv[2] ?? 30);
const lockfile = largestSharedLockfile() ?? path.join(repoRoot, 'examples', 'Gemfile.lock');
const env = { ...process.env, GEMLEAK_HOME: path.join(repoRoot, 'bench', 'out', 'empty-home'), NO_COLOR: '1' };
const withoutExtraCerts = { ...env };
delete withoutExtraCerts.NODE_EXTRA_CA_CERTS;

// The same package without its V8 code cache, as on a Node version other than the one that built it
// (V8 then refuses the cache and compiles the bundle as any script): bench/out/no-code-cache/.
const noCache = path.join(repoRoot, 'bench', 'out', 'no-code-cache');
rmSync(noCache, { recursive: true, force: true });
for (const part of ['bin', 'dist', 'advisories', 'package.json']) cpSync(path.join(repoRoot, part), path.join(noCache, part), { recursive: true });
symlinkSync(path.join(repoRoot, 'node_modules'), path.join(noCache, 'node_modules'));
rmSync(path.join(noCache, 'dist', 'bin', 'main.cjs.cache'));

const settings = [{ label: '', env }];
if (process.env.NODE_EXTRA_CA_CERTS) settings.push({ label: ' [no CA certs]', env: withoutExtraCerts });

console.log(`node ${process.version}, ${runs} runs each, interleaved; lockfile: ${path.relative(repoRoot, lockfile)}`);
console.log(`NODE_EXTRA_CA_CERTS: ${process.env.NODE_EXTRA_CA_CERTS ? `${process.env.NODE_EXTRA_CA_CERTS} (also timed without it: [no CA certs])` : 'not set'}`);
const commands = settings.flatMap(({ label, env: runEnv }) => [
  { name: `node -e 0 (baseline)${label}`, command: process.execPath, args: ['-e', '0'], options: { env: runEnv } },
  { name: `gemleak check <lockfile>${label}`, command: process.execPath, args: [gemleakBin, 'check', lockfile], options: { env: runEnv } },
  { name: `gemleak check <lockfile> --format json${label}`, command: process.execPath, args: [gemleakBin, 'check', lockfile, '--format', 'json'], options: { env: runEnv } },
  { name: `gemleak check <lockfile>, no code cache${label}`, command: process.execPath, args: [path.join(noCache, 'bin', 'gemleak.js'), 'check', lockfile], options: { env: runEnv } },
]);
const rows = compare(commands, { runs });
for (const { label } of settings) {
  const group = rows.filter((row) => row.name.endsWith(label) && (label !== '' || !row.name.endsWith(']')));
  printTable(group, `node -e 0 (baseline)${label}`);
}
console.log('');
for (const { label } of settings) {
  const base = rows.find((row) => row.name === `node -e 0 (baseline)${label}`);
  const check = rows.find((row) => row.name === `gemleak check <lockfile>${label}`);
  console.log(`check / node -e 0${label} = ${(check.median / base.median).toFixed(2)}x (goal: <= 1.30x); gemleak's own time ${(check.median - base.median).toFixed(1)} ms`);
}

function largestSharedLockfile() {
  const dir = path.join(sharedRoot, 'lockfiles');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.lock'))
    .map((name) => path.join(dir, name));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0] ?? null;
}
