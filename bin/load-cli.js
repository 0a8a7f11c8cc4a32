'use strict';
// Loads the bundled CLI, dist/bin/main.cjs, with the V8 code cache the build made for it.
//
// Compiling gemleak's JavaScript is about a third of what `gemleak check` itself costs, on every
// commit. Node 20 caches compiled code for no ES module, but a script compiled through node:vm
// takes a cache (`cachedData`): scripts/code-cache.mjs makes one at build time by running a check,
// and here it is only read, never written. It is used only when it was made from this very bundle
// (the build id in its first line); V8 itself refuses one made by another Node version or with other
// V8 flags. Without a usable cache the bundle is compiled as any script is: slower, same result.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '..', 'dist', 'bin', 'main.cjs');

/** The first line of a cache file: which build of the bundle it was made from. */
function cacheHeader(buildId) {
  return Buffer.from(`gemleak-code-cache ${buildId}\n`);
}

/** The id the build wrote on the last line of the bundle, or null. */
function buildIdOf(source) {
  const match = /\/\/ gemleak-build ([0-9a-f]+)\s*$/.exec(source.slice(-64));
  return match === null ? null : match[1];
}

/** The V8 data of the bundle's cache, or null when there is none for this build. */
function readCache(bundle, buildId) {
  if (buildId === null) return null;
  let data;
  try {
    data = readFileSync(`${bundle}.cache`);
  } catch {
    return null;
  }
  const header = cacheHeader(buildId);
  if (data.length <= header.length || !data.subarray(0, header.length).equals(header)) return null;
  return data.subarray(header.length);
}

/**
 * Compiles and runs the bundle. `codeCache` says what became of the cache: `used`, `rejected` (by V8),
 * or `none` (absent, or made from another build); `useCache: false` compiles without one (the build
 * does, to make it).
 */
function loadCli(bundle = BUNDLE, { useCache = true } = {}) {
  // The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without UTF-8 decoding.
  const source = readFileSync(bundle, 'latin1');
  const buildId = buildIdOf(source);
  const cachedData = useCache ? readCache(bundle, buildId) : null;
  // The file is a CommonJS module body already wrapped in its function (scripts/bundle.mjs).
  const script = new vm.Script(source, { filename: bundle, cachedData: cachedData ?? undefined });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
  const codeCache = cachedData === null ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { main: module.exports.main, script, buildId, cacheHeader: buildId === null ? null : cacheHeader(buildId), codeCache };
}

module.exports = { loadCli };
