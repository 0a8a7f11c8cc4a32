#!/usr/bin/env node
'use strict';
// The command. CommonJS (bin/package.json), so that starting it needs no ES module loader: it
// loads the bundled CLI, dist/bin/main.cjs (built by `npm install` through the `prepare` script),
// with its code cache (see load-cli.js), and runs it.
const { loadCli } = require('./load-cli.js');

let cli;
try {
  cli = loadCli();
} catch (error) {
  if (error === null || typeof error !== 'object' || error.code !== 'ENOENT') throw error;
  // A checkout that was never built (or whose build failed): one line, not a stack trace.
  process.stderr.write('gemleak: the CLI is not built (dist/bin/main.cjs is missing); run `npm install` or `npm run build` in its folder\n');
  process.exit(2);
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
