#!/usr/bin/env node
// The baseline of bench/heap-diff.mjs: one pass over the dumps that splits lines and calls
// JSON.parse on each, which is what a straightforward Node heap diff would spend before doing any
// diffing at all. Usage: node bench/heap-json-parse.mjs FILE...
import { closeSync, openSync, readSync } from 'node:fs';

let objects = 0;
let unreadable = 0;
for (const file of process.argv.slice(2)) {
  const fd = openSync(file, 'r');
  let buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  let used = 0;
  for (;;) {
    if (used === buffer.length) {
      const grown = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(grown, 0, 0, used);
      buffer = grown;
    }
    const count = readSync(fd, buffer, used, buffer.length - used, null);
    used += count;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(10, start);
      if (newline < 0 || newline >= used) break;
      parse(buffer.toString('utf8', start, newline));
      start = newline + 1;
    }
    buffer.copy(buffer, 0, start, used);
    used -= start;
    if (count === 0) break;
  }
  if (used > 0) parse(buffer.toString('utf8', 0, used));
  closeSync(fd);
}
console.log(`${objects} objects, ${unreadable} unreadable lines`);

function parse(text) {
  try {
    if (JSON.parse(text).address !== undefined) objects += 1;
  } catch {
    unreadable += 1;
  }
}
