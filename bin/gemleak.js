#!/usr/bin/env node
// Thin shim: the bundled CLI lives in dist/bin/ (built by `npm install` through the `prepare` script).
import { main } from '../dist/bin/main.js';

process.exitCode = await main(process.argv.slice(2));
