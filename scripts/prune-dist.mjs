#!/usr/bin/env node
// Build step, last: tsc compiles every module of src/ (so the build type-checks all of it), but the
// package entry dist/index.js reaches only the library's part of them; the CLI runs from its bundle
// in dist/bin/, where esbuild may also leave a chunk that nothing loads. Delete every file of dist/
// that no entry point (the package's exports, bin/gemleak.js) reaches, so the package ships nothing dead. The references followed: static and dynamic imports, re-exports, and
// `new URL('./x.js', import.meta.url)` (a worker's script).
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';

const DIST = 'dist';
/** Read by path, not imported: the bundled database's index; and the bundle's input map (for tests, not packed). */
const KEEP = new Set([path.join(DIST, 'bundled-index.json'), path.join(DIST, 'bin', 'inputs.json'), path.join(DIST, 'bin', 'main.cjs.cache')]);
// bin/load-cli.js loads dist/bin/main.cjs by path (through node:vm), with its code cache beside it.
const ENTRIES = [path.join(DIST, 'index.js'), path.join(DIST, 'index.d.ts'), path.join('bin', 'gemleak.js'), path.join(DIST, 'bin', 'main.cjs')];
const REFERENCE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\(\s*|new URL\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

const reached = new Set();
const pending = [...ENTRIES];
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file) || !existsSync(file)) continue;
  reached.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, specifier] of text.matchAll(REFERENCE)) {
    const target = path.join(path.dirname(file), specifier);
    // A .d.ts refers to `./x.js`; its types are in ./x.d.ts (and a types-only x.js is never loaded).
    pending.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
  }
}

let removed = 0;
prune(DIST);
console.log(`prune-dist: kept ${reached.size} files that the entry points reach, removed ${removed}`);

function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (KEEP.has(full)) continue;
    if (entry.isDirectory()) {
      prune(full);
      if (readdirSync(full).length === 0) rmdirSync(full);
    } else if (!reached.has(full)) {
      rmSync(full);
      removed += 1;
    }
  }
}
