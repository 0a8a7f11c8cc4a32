#!/usr/bin/env node
// Build step: bundle the CLI into a few ES modules in dist/bin/. Node then loads one file at start-up
// instead of some sixty (the CLI's modules and commander's), which is most of gemleak's own start-up
// cost: the pre-commit hook pays it on every commit. Lazy `import()`s stay lazy as separate chunks.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Nothing is copied twice: the packages gemleak depends on at run time (package.json
 * `dependencies`: the library entry dist/index.js needs them too) stay external, loaded from
 * node_modules, and only when used (YAML, TOML, git, semver are all loaded lazily). What the bundle
 * inlines is a devDependency, so an install does not carry it a second time: that is commander,
 * which only the CLI uses and which is on every run's path (one file instead of seven, and its
 * child_process deferred; see lazyCommanderChildProcess).
 */
const packageJson = JSON.parse(readFileSync('package.json', 'utf8'));
const EXTERNAL = Object.keys(packageJson.dependencies ?? {});

// `require` for commander (CommonJS) and `__gemleakRequire` for gemleak's own built-ins (see
// builtinsThroughRequire): a name of our own, so esbuild does not route the calls through its
// `__require` helper, which would be a chunk of its own that every command loads.
const BANNER = "import { createRequire as __gemleakCreateRequire } from 'node:module'; const require = __gemleakCreateRequire(import.meta.url), __gemleakRequire = require;";

const entryPoints = { main: 'src/cli/main.ts' };
// The heap scanner runs in worker threads, which load their script by URL from the folder of the
// chunk that starts them. It is built on its own, in one file (build 3 below): a worker has no
// main.js loaded, and code it shared with the CLI would otherwise become chunks that every
// command loads.
const WORKER_ENTRY = 'src/heap/scan-worker.ts';

/**
 * `gemleak check` is its own bundle, dist/bin/check.js: everything a check runs in one module. In one
 * esbuild build with code splitting, every module that the entry and a lazily loaded chunk both use
 * goes into a chunk of its own (esbuild does not know the entry is always loaded first), and a check
 * then loaded some thirty small files, each one resolved, read and compiled on every commit.
 * So the CLI is built twice into the same folder:
 *   1. main.js and the other commands' chunks; its `import()`s of the modules CHECK_ENTRY re-exports
 *      become `import('./check.js')`;
 *   2. check.js from CHECK_ENTRY, one file, with the modules of SHARED_WITH_MAIN taken from main.js
 *      (which re-exports them in the bundle) rather than copied: one GemleakError class for
 *      `instanceof`, one read of package.json. The check's own lazy imports (YAML, TOML, the other
 *      report formats, --update, --recursive) stay lazy: build 1 emits them as `lazy-*.js` entries.
 */
const CHECK_ENTRY = 'src/cli/check/bundle-entry.ts';
const CHECK_MODULES = ['src/cli/check/run.ts', 'src/lockfile/decode.ts', 'src/lockfile/parse.ts'];
const SHARED_WITH_MAIN = ['src/errors.ts', 'src/version.ts', 'src/package-root.ts', 'src/terminal.ts', 'src/formats.ts', 'src/cli/io.ts', 'src/cli/context.ts'];

// Chunk names carry content hashes: clear the folder so old chunks do not pile up.
rmSync('dist/bin', { recursive: true, force: true });

const common = {
  outdir: 'dist/bin',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.9',
  // commander is CommonJS, and every Node built-in is loaded through `require` (see builtinsThroughRequire):
  // both need a real require inside an ES module. Chunks that never use it lose the banner below.
  banner: { js: BANNER },
  // GEMLEAK_READABLE=1 keeps names and layout, for reading a CPU profile of the bundle.
  minify: !process.env.GEMLEAK_READABLE,
  logLevel: 'warning',
  metafile: true,
  external: EXTERNAL,
};

// check.js is one file (no splitting): first its static graph, which is inlined, and the modules it
// loads lazily (YAML, TOML, the other report formats, --update, --recursive), which build 1 emits as
// entry chunks of their own for check.js to load.
const checkBuild = { ...common, entryPoints: { check: CHECK_ENTRY }, splitting: false };
const sharedWithMain = redirect(SHARED_WITH_MAIN, './main.js', ['import-statement', 'dynamic-import']);
const probe = await build({ ...checkBuild, write: false, plugins: [builtinsThroughRequire(), sharedWithMain, externalDynamicImports()] });
const inlined = new Set(Object.keys(probe.metafile.inputs).map((file) => path.resolve(file)));
// Lazy imports by source path (relative specifiers) or by package name (bare ones) → the entry name.
const lazyFromCheck = new Map();
for (const [file, input] of Object.entries(probe.metafile.inputs)) {
  for (const entry of input.imports.filter(({ kind }) => kind === 'dynamic-import')) {
    const target = lazyTarget(path.resolve(file), entry.path);
    if (inlined.has(target) || lazyFromCheck.has(target) || isExternalPackage(target)) continue;
    const name = `lazy-${(path.isAbsolute(target) ? path.relative('src', target).replace(/\.ts$/, '') : target).replace(/[^\w.-]+/g, '-')}`;
    lazyFromCheck.set(target, name);
    entryPoints[name] = target;
  }
}

// The same within build 1: the lazily loaded chunks take SHARED_WITH_MAIN from main.js too, so those
// modules are reached from main alone and esbuild keeps them in main.js instead of a chunk each.
// Not the worker's modules: a worker has no main.js loaded.
const staticGraph = async (entry) => {
  const result = await build({ ...common, entryPoints: [entry], splitting: false, write: false, plugins: [builtinsThroughRequire(), externalDynamicImports()] });
  return Object.keys(result.metafile.inputs).map((file) => path.resolve(file));
};
const ownImports = new Set(await staticGraph('src/cli/main.ts'));

const cli = await build({
  ...common,
  entryPoints,
  plugins: [
    reexportFromMain(),
    builtinsThroughRequire(),
    lazyCommanderChildProcess(),
    redirect(CHECK_MODULES, './check.js', ['dynamic-import']),
    // main.js's own modules import these statically (that is what puts them in main.js); everyone
    // else, and every import(), takes them from main.js.
    redirect(SHARED_WITH_MAIN, './main.js', ['import-statement'], (importer) => !ownImports.has(importer)),
    redirect(SHARED_WITH_MAIN, './main.js', ['dynamic-import']),
    commanderFromMain((importer) => !ownImports.has(importer)),
  ],
});
const check = await build({ ...checkBuild, plugins: [builtinsThroughRequire(), sharedWithMain, lazyFromCli(lazyFromCheck)] });
const worker = existsSync(WORKER_ENTRY) ? await build({ ...common, entryPoints: { 'scan-worker': WORKER_ENTRY }, splitting: false, plugins: [builtinsThroughRequire()] }) : null;
const outputs = { ...cli.metafile.outputs, ...check.metafile.outputs, ...worker?.metafile.outputs };

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

// Only esbuild's `__require` helper (one chunk) and code that calls require directly need the banner;
// elsewhere it would just run createRequire once more per chunk loaded.
for (const file of Object.keys(outputs).filter((name) => name.endsWith('.js'))) {
  const code = readFileSync(file, 'utf8');
  if (code.startsWith(BANNER) && !/\b(?:require|__gemleakRequire)\b/.test(code.slice(BANNER.length))) writeFileSync(file, code.slice(BANNER.length).replace(/^\n/, ''));
}

// Which sources went into which output file: tests use it to prove what a command loads.
const inputs = Object.fromEntries(Object.entries(outputs).map(([file, output]) => [file.replace(/^dist\/bin\//, ''), Object.keys(output.inputs)]));
writeFileSync('dist/bin/inputs.json', `${JSON.stringify(inputs, null, 1)}\n`);

/**
 * `import { readFileSync } from 'node:fs'` in an ES module makes Node build the module's ES namespace,
 * which reads every export, lazy ones included: for node:fs that loads the whole streams stack
 * (about 20 internal modules, several milliseconds per run), and each built-in imported costs a
 * module of its own to resolve and link. Through `require` a built-in is just its exports object. So
 * gemleak's own imports of built-ins become requires (esbuild turns them into calls of its
 * `__require`, which uses the banner's require). The sources keep ordinary imports; only single-line
 * value imports of `node:` modules are rewritten, and anything else fails the build.
 */
function builtinsThroughRequire() {
  return {
    name: 'builtins-through-require',
    setup(bundle) {
      bundle.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => ({ contents: rewriteBuiltinImports(readFileSync(args.path, 'utf8'), args.path), loader: 'ts' }));
    },
  };
}

function rewriteBuiltinImports(source, file) {
  const contents = source.replace(/^import (?!type )(.+) from '(node:[a-z_/]+)';$/gm, (_, clause, specifier) => `const ${bindings(clause, file)} = __gemleakRequire('${specifier}');`);
  if (/^import (?!type )[^;]*'node:/m.test(contents)) throw new Error(`${file}: an import of a built-in that builtinsThroughRequire cannot rewrite`);
  return contents;
}

/** `path` → `path`; `{ a, b as c, type D }` → `{ a, b: c }`. */
function bindings(clause, file) {
  if (/^[A-Za-z_$][\w$]*$/.test(clause)) return clause;
  const named = /^\{(.*)\}$/.exec(clause);
  if (named === null) throw new Error(`${file}: cannot rewrite the import ${clause}`);
  const parts = named[1]
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('type '));
  return `{ ${parts.map((part) => part.replace(/^([\w$]+) as ([\w$]+)$/, '$1: $2')).join(', ')} }`;
}

/** Imports (of `kinds`, by importers that `when` accepts) of the source files `files` become imports of the output file `target`. */
function redirect(files, target, kinds, when = () => true) {
  const wanted = new Set(files.map((file) => path.resolve(file)));
  return {
    name: `redirect-to-${target}`,
    setup(bundle) {
      bundle.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!kinds.includes(args.kind) || !when(path.resolve(args.importer))) return undefined;
        const source = path.resolve(path.dirname(args.importer), args.path.replace(/\.js$/, '.ts'));
        return wanted.has(source) ? { path: target, external: true } : undefined;
      });
    },
  };
}

/** Every `import()` left as it is: what stays is the check's static graph. */
function externalDynamicImports() {
  return {
    name: 'external-dynamic-imports',
    setup(bundle) {
      bundle.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
    },
  };
}

/** A bare specifier of a run-time dependency (or a file of one): left to node_modules. */
function isExternalPackage(specifier) {
  return EXTERNAL.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

/** A source file (absolute) for a relative specifier, else the package name as written. */
function lazyTarget(importer, specifier) {
  return specifier.startsWith('.') ? path.resolve(path.dirname(importer), specifier.replace(/\.js$/, '.ts')) : specifier;
}

/** check.js's `import()`s of what build 1 emitted as entry chunks (`chunks`: lazyTarget → entry name) load those. */
function lazyFromCli(chunks) {
  return {
    name: 'lazy-from-cli',
    setup(bundle) {
      bundle.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const name = chunks.get(lazyTarget(args.importer, args.path));
        return name === undefined ? undefined : { path: `./${name}.js`, external: true };
      });
    },
  };
}

/**
 * The command declarations loaded lazily (every command but check) take commander from main.js,
 * which has it already, instead of esbuild moving commander into a chunk that every run loads.
 */
function commanderFromMain(when) {
  return {
    name: 'commander-from-main',
    setup(bundle) {
      bundle.onResolve({ filter: /^commander$/ }, (args) => (args.kind === 'import-statement' && when(path.resolve(args.importer)) ? { path: './main.js', external: true } : undefined));
    },
  };
}

/** main.js re-exports SHARED_WITH_MAIN (and commander) for the chunks that take them from it; in the sources nothing imports them from main. */
function reexportFromMain() {
  const main = path.resolve('src/cli/main.ts');
  return {
    name: 'reexport-from-main',
    setup(bundle) {
      bundle.onLoad({ filter: /[\\/]src[\\/]cli[\\/]main\.ts$/ }, (args) => {
        if (args.path !== main) return undefined;
        const reexports = SHARED_WITH_MAIN.map((file) => `export * from './${path.relative(path.dirname(main), path.resolve(file)).replace(/\.ts$/, '.js')}';`);
        reexports.push("export { Command, Option } from 'commander';");
        return { contents: [rewriteBuiltinImports(readFileSync(main, 'utf8'), main), ...reexports].join('\n'), loader: 'ts' };
      });
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
