#!/usr/bin/env node
// Build step: bundle the CLI into a few ES modules in dist/bin/. Node then loads one file at start-up
// instead of some sixty (the CLI's modules and commander's), which is most of gemleak's own start-up
// cost: the pre-commit hook pays it on every commit. Lazy `import()`s stay lazy as separate chunks.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = { main: 'src/cli/main.ts' };
// The heap scanner runs in worker threads, which load their script by URL next to the chunk that
// starts them, so it is an entry point of its own in the same folder.
if (existsSync('src/heap/scan-worker.ts')) entryPoints['scan-worker'] = 'src/heap/scan-worker.ts';

// Chunk names carry content hashes: clear the folder so old chunks do not pile up.
rmSync('dist/bin', { recursive: true, force: true });

const result = await build({
  entryPoints,
  outdir: 'dist/bin',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.9',
  // commander is CommonJS; its `require('node:events')` needs a real require inside an ES module.
  banner: { js: "import { createRequire as __gemleakCreateRequire } from 'node:module'; const require = __gemleakCreateRequire(import.meta.url);" },
  minify: true,
  plugins: [lazyCommanderChildProcess()],
  logLevel: 'warning',
  metafile: true,
});

// Which sources went into which output file: tests use it to prove what a command loads.
const outputs = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, output]) => [file.replace(/^dist\/bin\//, ''), Object.keys(output.inputs)]),
);
writeFileSync('dist/bin/inputs.json', `${JSON.stringify(outputs, null, 1)}\n`);

/**
 * commander loads node:child_process at start-up for executable subcommands, which gemleak does not
 * use; loading it costs several milliseconds on every run. Defer it to first use.
 */
function lazyCommanderChildProcess() {
  const eager = "const childProcess = require('node:child_process');";
  const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
  return {
    name: 'lazy-commander-child-process',
    setup(bundle) {
      bundle.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(eager)) throw new Error('commander changed: update the lazy child_process patch in scripts/bundle.mjs');
        return { contents: source.replace(eager, lazy), loader: 'js' };
      });
    },
  };
}
