#!/usr/bin/env node
// Thin shim: the bundled CLI lives in dist/bin/ (built by `npm install` through the `prepare` script).
import { main } from '../dist/bin/main.js';

// `gemleak check | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
