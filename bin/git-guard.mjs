#!/usr/bin/env node
// Runs `git ARGS...` for `gemleak update` so that git dies with gemleak. gemleak starts this script
// with a pipe as its standard input and never writes to it; when gemleak exits in any way, even
// killed with SIGKILL, the pipe closes, and this script then stops git and every process git
// started (git clone runs git-remote-https, index-pack...). Linux and other systems with /proc
// find git's helpers by their parent; elsewhere git alone is stopped.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const git = spawn('git', process.argv.slice(2), { stdio: ['ignore', 'inherit', 'inherit'] });

/** Every process below `root`, deepest last, from /proc (empty where there is no /proc). */
function descendants(root) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = [];
    for (const pid of queue)
      for (const child of children.get(pid) ?? []) {
        found.push(child);
        next.push(child);
      }
    queue = next;
  }
  return found;
}

function stop(signal) {
  for (const pid of [...descendants(git.pid), git.pid]) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

process.stdin.on('end', () => {
  // gemleak is gone: nobody waits for this git any more.
  stop('SIGTERM');
  setTimeout(() => stop('SIGKILL'), 2000).unref();
});
process.stdin.on('error', () => undefined);
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));

git.on('error', (error) => {
  // The text gemleak looks for when git is not installed.
  process.stderr.write(`spawn git ${error.code ?? error.message}\n`);
  process.exit(127);
});
git.on('exit', (code, signal) => {
  process.stdin.destroy();
  process.exitCode = code ?? (signal === null ? 1 : 128);
});
