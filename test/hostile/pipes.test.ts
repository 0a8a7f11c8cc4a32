import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemleakBin } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';

// Issue 11: exit codes survive a closed pipe and a full disk. Real shells, real pipes, /dev/full.
let root: string;
const shopDump = (name: string) => path.join(repoRoot, 'test/fixtures/heap/shop', `${name}.ndjson.gz`);

beforeAll(() => {
  root = tempDir('gemleak-pipes-');
  writeSmallDatabase(path.join(root, 'db'));
  // Many findings so the report is larger than a pipe buffer: the write after `head` left must fail.
  const specs = Array.from({ length: 3000 }, (_, i) => `leaky${i} (0.9)`);
  const db: Record<string, string> = { 'big/Gemfile.lock': lockfileWith(['redis (3.3.0)', ...specs]) };
  for (let i = 0; i < 3000; i += 1)
    db[`db/gems/leaky${i}/1.yml`] = `---\ngem: leaky${i}\nurl: https://example.com/${i}\ntitle: leaks ${i}\ndate: 2020-01-01\ndescription: x\nleaky_versions:\n  - "< 1.0"\n`;
  writeTree(root, { ...db, 'bad/Gemfile.lock': 'GEM\n  remote: x\n  specs:\n    redis (3.3.0\n' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `gemleak ARGS | CONSUMER` in bash and returns gemleak's own exit status (PIPESTATUS[0]). */
function statusThroughPipe(args: string, consumer: string): { status: number; stderr: string } {
  const script = `node ${JSON.stringify(gemleakBin)} ${args} 2>"$ERRFILE" | ${consumer}; echo "\${PIPESTATUS[0]}"`;
  const errFile = path.join(root, 'stderr.txt');
  const run = spawnSync('bash', ['-c', `${script}; cat "$ERRFILE" >&2`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', GEMLEAK_DB: path.join(root, 'db'), ERRFILE: errFile, GEMLEAK_HOME: path.join(root, 'home') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: Number(run.stdout.trim().split('\n').at(-1)), stderr: run.stderr };
}

describe("closed pipe: the exit code is the command's", () => {
  it.each(['head -1 >/dev/null', 'true', 'grep -q Advisory'])('check with findings | %s exits 1', (consumer) => {
    const run = statusThroughPipe('check big/Gemfile.lock', consumer);
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/internal error|EPIPE/);
  });

  it.each(['head -1 >/dev/null', 'true', 'grep -q x'])('check with an error | %s exits 2', (consumer) => {
    expect(statusThroughPipe('check bad/Gemfile.lock', consumer).status).toBe(2);
  });

  it.each(['head -1 >/dev/null', 'true'])('heap diff | %s exits 0, and 2 for a missing dump', (consumer) => {
    expect(statusThroughPipe(`heap diff ${shopDump('A')} ${shopDump('B')} ${shopDump('C')} --top 1000`, consumer).status).toBe(0);
    expect(statusThroughPipe(`heap diff ${shopDump('A')} missing.json`, consumer).status).toBe(2);
  });
});

describe('full disk: one line, exit 2', () => {
  /** Runs gemleak with stdout and/or stderr on /dev/full (a device whose every write fails ENOSPC). */
  function onFullDisk(args: string[], streams: { stdout?: boolean; stderr?: boolean }) {
    const full = openSync('/dev/full', 'w');
    try {
      return spawnSync(process.execPath, [gemleakBin, ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', GEMLEAK_DB: path.join(root, 'db'), GEMLEAK_HOME: path.join(root, 'home') },
        stdio: ['ignore', streams.stdout ? full : 'pipe', streams.stderr ? full : 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
    } finally {
      closeSync(full);
    }
  }

  it('stdout on /dev/full: exit 2 with one line naming the failure, no stack trace', () => {
    const result = onFullDisk(['check', 'big/Gemfile.lock'], { stdout: true });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('gemleak: cannot write to stdout: no space left on device\n');
  });

  it('stderr on /dev/full with an error: exit 2, not the findings code', () => {
    expect(onFullDisk(['check', 'bad/Gemfile.lock'], { stderr: true }).status).toBe(2);
  });

  it('both on /dev/full: still exit 2', () => {
    expect(onFullDisk(['check', 'big/Gemfile.lock'], { stdout: true, stderr: true }).status).toBe(2);
  });

  it('heap diff to /dev/full: exit 2, its last line names the failure', () => {
    const result = onFullDisk(['heap', 'diff', shopDump('A'), shopDump('B')], { stdout: true });
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('gemleak: cannot write to stdout: no space left on device');
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
