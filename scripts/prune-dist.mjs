#!/usr/bin/env node
// Build step, last: tsc compiles every module of src/ (so the build type-checks all of it), but the
// package entry dist/index.js reaches only the library's part of them; the CLI runs from its bundle
// in dist/bin/. Delete the compiled modules (and their .d.ts) that no entry point reaches, so the
// package ships nothing dead. The references followed: static and dynamic imports, re-exports, and
// `new URL('./x.js', import.meta.url)` (a worker's script).
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';

const DIST = 'dist';
/** Kept whole: the CLI bundle (its own entry, bin/gemleak.js) and the bundled database's index. */
const KEEP = new Set(['bin', 'bundled-index.json']);
const ENTRIES = ['index.js', 'index.d.ts'];
const REFERENCE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

const reached = new Set();
const pending = ENTRIES.map((entry) => path.join(DIST, entry));
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file) || !existsSync(file)) continue;
  reached.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, specifier] of text.matchAll(REFERENCE)) {
    const target = path.join(path.dirname(file), specifier);
    pending.push(target);
    // A .d.ts refers to `./x.js`; its types are in ./x.d.ts.
    if (file.endsWith('.d.ts')) pending.push(target.replace(/\.js$/, '.d.ts'));
  }
}

let removed = 0;
prune(DIST);
console.log(`prune-dist: kept ${reached.size} compiled files that dist/index.js reaches, removed ${removed}`);

function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (dir === DIST && KEEP.has(entry.name)) continue;
    if (entry.isDirectory()) {
      prune(full);
      if (readdirSync(full).length === 0) rmdirSync(full);
    } else if (!reached.has(full)) {
      rmSync(full);
      removed += 1;
    }
  }
}
