#!/usr/bin/env node
// Build step, after scripts/bundle.mjs: the V8 code cache of dist/bin/main.cjs (bin/load-cli.js
// explains why). It runs the CLI's main path once, in this process, through the same loader the
// command uses: a check of examples/Gemfile.lock, output discarded, in an empty gemleak home. What V8
// compiled for it is saved as dist/bin/main.cjs.cache, behind a first line naming the build.
// (Training `--format json` or `check --staged` as well was measured: no difference worth a git
// repository at build time; the code they add compiles as usual.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { loadCli } = require('../bin/load-cli.js');

const bundle = path.resolve('dist/bin/main.cjs');
const cli = loadCli(bundle, { useCache: false });
if (cli.cacheHeader === null) throw new Error('code-cache: dist/bin/main.cjs has no build id; run scripts/bundle.mjs first');

const home = mkdtempSync(path.join(os.tmpdir(), 'gemleak-code-cache-'));
const discard = { write: () => true };
try {
  const io = { stdout: discard, stderr: discard, env: { HOME: home, GEMLEAK_HOME: home, NO_COLOR: '1' }, cwd: process.cwd(), stdoutIsTTY: false, stderrIsTTY: false };
  // The example locks gems with known leaks: exit 1 is the check working.
  const code = await cli.main(['check', path.resolve('examples/Gemfile.lock')], io);
  if (code !== 1) throw new Error(`code-cache: the training check exited ${code}, expected 1 (leaks found in examples/Gemfile.lock)`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
const data = cli.script.createCachedData();
writeFileSync(`${bundle}.cache`, Buffer.concat([cli.cacheHeader, data]));
console.log(`code-cache: ${data.length} bytes for dist/bin/main.cjs`);
