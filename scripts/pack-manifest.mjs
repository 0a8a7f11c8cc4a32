#!/usr/bin/env node
// `npm pack` hooks. `prepare` builds gemleak where npm installs it from source (a clone, a git
// dependency, the pre-commit framework's clone), but in the packed tarball it is only noise: npm
// lists it as an install script to approve, though nothing runs it for a tarball. So `prepack`
// builds and takes `prepare` out of package.json for the tarball, and `postpack` puts the file
// back byte for byte. A pack that dies in between leaves the saved copy; the next run restores it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MANIFEST = 'package.json';
const SAVED = path.join('node_modules', '.cache', 'gemleak-pack', 'package.json');

const step = process.argv[2];
if (step === 'strip') strip();
else if (step === 'restore') restore();
else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}

function strip() {
  restore();
  mkdirSync(path.dirname(SAVED), { recursive: true });
  copyFileSync(MANIFEST, SAVED);
  const text = readFileSync(MANIFEST, 'utf8');
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

function restore() {
  if (!existsSync(SAVED)) return;
  copyFileSync(SAVED, MANIFEST);
  rmSync(SAVED);
}
