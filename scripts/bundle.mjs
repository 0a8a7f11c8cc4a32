#!/usr/bin/env node
// Build step: the CLI as one CommonJS file, dist/bin/main.cjs, and the heap scanner's worker,
// dist/bin/scan-worker.js. scripts/code-cache.mjs then gives main.cjs a V8 code cache.
//
// Why one CommonJS file. `gemleak check` runs in every pre-commit, so its start-up is most of what
// it costs. Measured with valgrind on a 698-gem check, about a third of gemleak's own work was V8
// compiling its JavaScript, on every run. Node 20 cannot cache the compiled code of ES modules
// (module.enableCompileCache came in Node 22), but a CommonJS script compiled through node:vm
// takes a code cache: bin/load-cli.js does that. A single file also needs no loader round trip per
// chunk, and no plugins to keep esbuild's code splitting from scattering shared modules over small
// chunks. What a command does not need still never runs: esbuild wraps each module that is only
// reached by an `import()` and initialises it on that first `import()`, so `gemleak check` runs
// none of the heap, trend or doctor code, and loads none of their packages.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, promises as fsPromises, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Nothing is copied twice: the packages gemleak depends on at run time (package.json
 * `dependencies`: the library entry dist/index.js needs them too) stay external, loaded from
 * node_modules, and only when used (YAML, TOML, git, semver are all loaded lazily). What the bundle
 * inlines is a devDependency, so an install does not carry it a second time: that is commander,
 * which only the CLI uses and which is on every run's path (its child_process deferred; see
 * lazyCommanderChildProcess).
 */
const packageJson = JSON.parse(readFileSync('package.json', 'utf8'));
const EXTERNAL = Object.keys(packageJson.dependencies ?? {});

const OUT = 'dist/bin';
const WORKER_ENTRY = 'src/heap/scan-worker.ts';

rmSync(OUT, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.9',
  // GEMLEAK_READABLE=1 keeps names and layout, for reading a CPU profile of the bundle.
  minify: !process.env.GEMLEAK_READABLE,
  logLevel: 'warning',
  metafile: true,
  external: EXTERNAL,
};

const cli = await build({
  ...common,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The sources are ES modules: `import.meta.url` is this file's URL, as an ES module would see it.
  define: { 'import.meta.url': '__gemleakModuleUrl' },
  // Wrapped as Node wraps a CommonJS module, in the file itself: bin/load-cli.js compiles the file
  // as it is, where concatenating the wrapper at run time would copy the whole text once more.
  banner: { js: '(function (exports, require, module, __filename, __dirname) {\n"use strict";\nvar __gemleakModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  footer: { js: '})' },
  plugins: [lazyCommanderChildProcess(), fsPromisesOnFirstUse(), packagesImportedLazily()],
});

// The heap scanner runs in worker threads, which load their script by URL from the folder of the
// bundle that starts them: an ES module of its own, with what it needs inlined.
const worker = existsSync(WORKER_ENTRY) ? await build({ ...common, entryPoints: { 'scan-worker': WORKER_ENTRY }, outdir: OUT, format: 'esm' }) : null;
const outputs = { ...cli.metafile.outputs, ...worker?.metafile.outputs };

// The build's identity, at the end of main.cjs: bin/load-cli.js uses a code cache only when it was
// made from this very file (scripts/code-cache.mjs writes the id into the cache).
appendFileSync(path.join(OUT, 'main.cjs'), `\n// gemleak-build ${randomBytes(8).toString('hex')}\n`);
// bin/load-cli.js reads it as latin1, which is right for ASCII only (esbuild escapes everything else
// in code; a GEMLEAK_READABLE build keeps some comments, where it does not matter).
if (common.minify && /[^\x00-\x7f]/.test(readFileSync(path.join(OUT, 'main.cjs'), 'latin1'))) throw new Error('bundle: dist/bin/main.cjs is not ASCII');

// What the bundle inlines must not also be installed as a dependency.
const inlinedPackages = new Set(
  Object.values(outputs)
    .flatMap((output) => Object.keys(output.inputs))
    .flatMap((file) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
      return match === null ? [] : [match[1]];
    }),
);
for (const name of inlinedPackages) {
  if (name in (packageJson.dependencies ?? {})) throw new Error(`bundle: ${name} is inlined into dist/bin and also a dependency`);
  if (!(name in (packageJson.devDependencies ?? {}))) throw new Error(`bundle: ${name} is inlined into dist/bin but is not a devDependency`);
}

// Which sources went into which output file: tests use it to prove what is bundled where.
const inputs = Object.fromEntries(Object.entries(outputs).map(([file, output]) => [file.replace(/^dist\/bin\//, ''), Object.keys(output.inputs)]));
writeFileSync(path.join(OUT, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);

/**
 * `import('yaml')` (a dependency) or `import('node:fs/promises')` in a CommonJS bundle would stay an
 * ES `import()`, which code compiled through node:vm cannot run on Node 20. Each becomes a module
 * that re-exports the package through a static import, which esbuild turns into a `require` that
 * runs when the `import()` first does, so the package still loads only when used.
 */
function packagesImportedLazily() {
  const lazy = (specifier) => specifier.startsWith('node:') || EXTERNAL.some((name) => specifier === name || specifier.startsWith(`${name}/`));
  return {
    name: 'packages-imported-lazily',
    setup(bundle) {
      bundle.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' && lazy(args.path) ? { path: args.path, namespace: 'lazy-package' } : undefined));
      bundle.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
        contents: `export * from ${JSON.stringify(args.path)};\nexport { default } from ${JSON.stringify(args.path)};\n`,
        loader: 'js',
      }));
    },
  };
}

/**
 * Requiring node:fs/promises loads some ten more built-ins (readline among them): about 2 ms that
 * every check paid at start-up (the config and database modules import it) for functions it calls
 * only when it writes or syncs. Its functions are taken from node:fs's lazy `promises` on first call.
 */
function fsPromisesOnFirstUse() {
  const names = Object.keys(fsPromises).filter((name) => typeof fsPromises[name] === 'function');
  const contents = [
    "const promises = () => require('node:fs').promises;",
    ...names.map((name) => `export const ${name} = (...args) => promises().${name}(...args);`),
    `export default { ${names.join(', ')} };`,
  ].join('\n');
  return {
    name: 'fs-promises-on-first-use',
    setup(bundle) {
      bundle.onResolve({ filter: /^node:fs\/promises$/ }, (args) => ({ path: args.path, namespace: 'fs-promises-on-first-use' }));
      bundle.onLoad({ filter: /.*/, namespace: 'fs-promises-on-first-use' }, () => ({ contents, loader: 'js' }));
    },
  };
}

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
