#!/usr/bin/env node
'use strict';
// The command. CommonJS (bin/package.json), so that starting it needs no ES module loader: it
// loads the bundled CLI, dist/bin/main.cjs (built by `npm install` through the `prepare` script),
// with its code cache (see load-cli.js), and runs it.
const { loadCli } = require('./load-cli.js');

loadCli()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
