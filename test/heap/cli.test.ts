import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffHeapDumps } from '../../src/heap/diff.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { lifeOfAProcess, shopDir, shopDump } from './dumps.js';

const A = shopDump('A');
const B = shopDump('B');
const C = shopDump('C');
let dir: string;

beforeAll(() => {
  dir = tempDir('gemleak-heap-cli-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface DiffJson {
  schema_version: number;
  mode: string;
  identity: string;
  compat: string | null;
  dumps: { role: string; path: string; objects: number; gzip: boolean }[];
  summary: { allocated: { count: number; memsize: number }; retained: { count: number; memsize: number } | null; groups: number; matching: { groups: number; count: number; memsize: number } };
  groups: { type: string | null; class: string | null; file: string | null; line: number | null; count: number; memsize: number; vm_internal: boolean }[];
  warnings: { code: string; message: string; file: string | null }[];
}

describe('gemleak heap diff', () => {
  it('prints the summary, then one line per group, and exits 0', () => {
    const run = runCli(['heap', 'diff', A, B, C]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Heap diff (3-way): objects allocated between A and B that are still alive in C');
    expect(run.stdout).toMatch(/ {2}A {2}\S+A\.ndjson\.gz {2}\d+ objects\n/);
    expect(run.stdout).toMatch(/ {2}Allocated between A and B: \d+ objects, \d+ bytes(?: \([\d.]+ [KMGT]iB\))?\n {2}Retained in C: {13}605 objects, \d+ bytes(?: \([\d.]+ [KMGT]iB\))?, 13 groups\n/);
    expect(run.stdout).toMatch(/^Retained STRING 300 objects of size \d+ bytes(?: \([\d.]+ [KMGT]iB\))? at: \/srv\/shop\/app\/models\/cart\.rb:18$/m);
    expect(run.stdout).toMatch(/^Retained OBJECT \(Session\) 250 objects of size 10000 bytes \(9\.8 KiB\) at: \/srv\/shop\/app\/models\/cart\.rb:24$/m);
    expect(run.stdout).toMatch(/^Retained STRING 40 objects of size \d+ bytes(?: \([\d.]+ [KMGT]iB\))? at: \(erb\) "app\\views\\carts\\show\.html\.erb":1$/m);
    expect(run.stdout).toMatch(/^Retained IMEMO 4 objects of size 160 bytes at: \/srv\/shop\/app\/models\/cart\.rb:24 \[VM\]$/m);
    expect(run.stderr).toMatch(/^gemleak: warning: \S+B\.ndjson\.gz: 43 lines have a file name that Ruby wrote without JSON escaping/m);
  });

  it('--top N shows N groups and counts the rest; --all shows them all', () => {
    const top = runCli(['heap', 'diff', A, B, C, '--top', '2']);
    expect(top.stdout.match(/^Retained /gm)).toHaveLength(2);
    expect(top.stdout).toMatch(/^… and 11 groups more \(55 objects, \d+ bytes(?: \([\d.]+ [KMGT]iB\))?\): --top N or --all to see them$/m);
    const all = runCli(['heap', 'diff', A, B, C, '--all']);
    expect(all.stdout.match(/^Retained /gm)).toHaveLength(13);
  });

  it('--filter keeps groups whose file contains the text, --exclude drops them', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--filter', 'app/models', '--exclude', 'cart.rb:', '--filter', 'erb', '--exclude', 'objspace']);
    expect(run.status).toBe(0);
    const lines = run.stdout.match(/^Retained .*$/gm) ?? [];
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((line) => line.includes('/srv/shop/app/models/cart.rb') || line.includes('(erb)'))).toBe(true);
    expect(run.stdout).toMatch(/Matching --filter app\/models --filter erb --exclude cart\.rb: --exclude objspace: \d+ objects/);
  });

  it('--sort memsize orders by bytes', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--sort', 'memsize', '--top', '3']);
    const sizes = (run.stdout.match(/of size (\d+) bytes/g) ?? []).map((text) => Number(/\d+/.exec(text)?.[0]));
    expect(sizes).toHaveLength(3);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
  });

  it('--format json has every group, the summary and the warnings', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--format', 'json', '--top', '1']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as DiffJson;
    expect(report.schema_version).toBe(1);
    expect(report.mode).toBe('retained');
    expect(report.identity).toBe('strict');
    expect(report.compat).toBeNull();
    expect(report.dumps.map((dump) => [dump.role, dump.gzip])).toEqual([
      ['A', true],
      ['B', true],
      ['C', true],
    ]);
    expect(report.groups).toHaveLength(13);
    expect(report.groups[0]).toEqual({
      type: 'STRING',
      class: 'String',
      file: '/srv/shop/app/models/cart.rb',
      line: 18,
      count: 300,
      memsize: expect.any(Number),
      vm_internal: false,
      sample_addresses: expect.any(Array),
    });
    expect(report.groups.find((group) => group.type === 'OBJECT')).toMatchObject({ class: 'Session', count: 250, line: 24 });
    expect(report.summary.retained?.count).toBe(report.groups.reduce((sum, group) => sum + group.count, 0));
    expect(report.summary.matching.groups).toBe(13);
    expect(report.warnings.map((warning) => warning.code)).toEqual(['HEAP_UNESCAPED_FILE', 'HEAP_UNESCAPED_FILE', 'HEAP_UNESCAPED_FILE']);
  });

  it('--output writes the report to a file and nothing to stdout', () => {
    const target = path.join(dir, 'report.json');
    const run = runCli(['heap', 'diff', A, B, C, '--format', 'json', '--output', target]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect((JSON.parse(readFileSync(target, 'utf8')) as DiffJson).groups.length).toBe(13);
  });

  it('2-way: allocated objects', () => {
    const run = runCli(['heap', 'diff', A, B]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Heap diff (2-way): objects allocated between A and B');
    expect(run.stdout).toMatch(/^Allocated ARRAY 120 objects of size \d+ bytes(?: \([\d.]+ [KMGT]iB\))? at: \/srv\/shop\/app\/models\/cart\.rb:26$/m);
  });

  it('--identity address reproduces the slot-reuse errors', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--identity', 'address']);
    expect(run.stdout).toContain('Identity: address only (--identity address)');
    expect(run.stdout).toMatch(/^Retained OBJECT \(Session\) 247 objects/m);
  });

  it('--compat heapy prints the lines heapy printed for these dumps', () => {
    const three = runCli(['heap', 'diff', A, B, C, '--compat', 'heapy']);
    expect(three.status).toBe(0);
    expect(three.stdout).toBe(readFileSync(path.join(shopDir, 'heapy-3way.txt'), 'utf8'));
    const two = runCli(['heap', 'diff', A, B, '--compat', 'heapy']);
    expect(two.stdout).toBe(readFileSync(path.join(shopDir, 'heapy-2way.txt'), 'utf8'));
  });

  it('--compat heapy refuses options that would change its output', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--compat', 'heapy', '--top', '3', '--identity', 'strict']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("gemleak: --compat heapy prints every group in heapy's order with address identity; drop --top, --identity strict\n");
  });

  it.each([
    ['a missing dump', () => path.join(dir, 'nope.json'), /^gemleak: \S+nope\.json: no such file\n$/],
    ['a directory', () => dir, /^gemleak: \S+: is a directory, not a heap dump\n$/],
    ['an empty dump', () => writeEmpty('empty.json'), /^gemleak: \S+empty\.json: is empty \(0 bytes\): .*\n$/],
    [
      'gzip that does not inflate',
      () => writeBytes('broken.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8])),
      /^gemleak: \S+broken\.json\.gz: looks like gzip but does not inflate .*\n$/,
    ],
  ])('%s: exit 2 with one line naming the file', (_name, make, message) => {
    const run = runCli(['heap', 'diff', A, make(), C]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('a missing argument is a usage error', () => {
    const run = runCli(['heap', 'diff', A]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing required argument 'B'");
  });

  it('--help shows examples', () => {
    const run = runCli(['heap', 'diff', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Examples:\n  $ gemleak heap diff heap-A.json heap-B.json heap-C.json');
    expect(run.stdout).toContain('ObjectSpace.trace_object_allocations_start');
    // Without a subcommand: the group's help on stderr and exit 2, like `gemleak db` and `gemleak hook`.
    const heap = runCli(['heap']);
    expect(heap.status).toBe(2);
    expect(heap.stderr).toContain('diff [options] <A> <B> [C]');
    expect(heap.stderr).toContain('Examples:');
  });
});

describe('gemleak heap diff on big dumps (worker threads)', () => {
  it('gives the same report as reading on one thread', async () => {
    const big = path.join(dir, 'big');
    mkdirSync(big, { recursive: true });
    const texts = lifeOfAProcess({ kept: 30_000, leaks: 20_000, padding: 60 });
    const files = (['A', 'B', 'C'] as const).map((role) => {
      const file = path.join(big, `${role}.ndjson`);
      writeFileSync(file, texts[role]);
      return file;
    });
    const run = runCli(['heap', 'diff', ...files, '--format', 'json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as DiffJson;
    const inline = await diffHeapDumps({
      before: { path: files[0] as string, label: 'A' },
      after: { path: files[1] as string, label: 'B' },
      retained: { path: files[2] as string, label: 'C' },
      workers: 0,
    });
    expect(report.summary.allocated).toEqual(inline.allocated);
    expect(report.summary.retained).toEqual(inline.retained);
    // Equal counts: the bigger group (the 71-byte strings) comes first.
    expect(report.groups.map((group) => [group.type, group.class, group.line, group.count])).toEqual([
      ['STRING', 'String', 13, 20_000],
      ['OBJECT', 'Session', 12, 20_000],
    ]);
    expect(report.dumps.map((dump) => dump.objects)).toEqual(inline.dumps.map((dump) => dump.stats.objects));
  });
});

describe('gemleak heap summary', () => {
  it('breaks one dump down by type, generation and allocation site', () => {
    const run = runCli(['heap', 'summary', C, '--top', '3']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Heap summary of \S+C\.ndjson\.gz\n {2}\d+ objects, \d+ bytes(?: \([\d.]+ [KMGT]iB\))? \(memsize\)\n {2}Allocation tracing: on \(\d+ objects carry a file\/line\)/);
    expect(run.stdout).toMatch(/^By type \(largest first\)\n {2}type +objects {2}bytes\n {2}[A-Z]+ +\d+ {2}\d+(?: \([\d.]+ [KMGT]iB\))?$/m);
    expect(run.stdout).toMatch(/^ {2}STRING +\d+ {2}\d+(?: \([\d.]+ [KMGT]iB\))?$/m);
    expect(run.stdout).toMatch(/^By GC generation \(when allocated\)\n {2}generation +objects {2}bytes\n {2}\(no allocation info\) +\d+ {2}\d+(?: \([\d.]+ [KMGT]iB\))?$/m);
    expect(run.stdout).toMatch(/^Top allocation sites \(3 of \d+\)\n {2}OBJECT \(Keeper\) 600 objects of size 24000 bytes \(23\.4 KiB\) at: \/srv\/shop\/app\/models\/cart\.rb:13$/m);
    expect(run.stdout).toMatch(/^ {2}STRING 400 objects of size \d+ bytes(?: \([\d.]+ [KMGT]iB\))? at: \/srv\/shop\/app\/models\/cart\.rb:18$/m);
    expect(run.stdout).not.toContain('(unknown location)');
  });

  it('--format json lists every site', () => {
    const run = runCli(['heap', 'summary', C, '--format', 'json']);
    const report = JSON.parse(run.stdout) as {
      dump: { objects: number };
      by_type: { type: string; count: number }[];
      by_generation: { generation: number | null }[];
      sites: { file: string | null; count: number }[];
    };
    expect(report.by_type.reduce((sum, row) => sum + row.count, 0)).toBe(report.dump.objects);
    expect(report.by_generation[0]?.generation).toBeNull();
    const untraced = report.by_generation.find((row) => row.generation === null) as { count: number } | undefined;
    expect(report.sites.reduce((sum, row) => sum + row.count, 0)).toBe(report.dump.objects - (untraced?.count ?? 0));
    expect(report.sites.find((site) => site.file === '/srv/shop/app/models/cart.rb' && site.count === 400)).toBeDefined();
  });

  it('--help shows an example', () => {
    expect(runCli(['heap', 'summary', '--help']).stdout).toContain('$ gemleak heap summary heap-C.json');
  });
});

function writeEmpty(name: string): string {
  return writeBytes(name, Buffer.alloc(0));
}

function writeBytes(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('gemleak heap diff --why (committed fixture, no ../shared needed)', () => {
  it('names the constant each leak is held by, with its root path', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--why', '--top', '3']);
    expect(run.status).toBe(0);
    // CARTS = [] is line 11 and SESSIONS = [] line 8 of cart.rb; VIEW_CACHE = [] line 1 of the template.
    expect(run.stdout).toMatch(
      /^Retained STRING 300 objects .* at: \/srv\/shop\/app\/models\/cart\.rb:18\n {4}Held by ARRAY allocated at \/srv\/shop\/app\/models\/cart\.rb:11, the line to look at: all 300 root paths pass through it\n {4}300 objects: ROOT vm .* → CLASS Object → \[ARRAY \/srv\/shop\/app\/models\/cart\.rb:11\] → STRING \/srv\/shop\/app\/models\/cart\.rb:18$/m,
    );
    expect(run.stdout).toMatch(/^ {4}Held by ARRAY allocated at \/srv\/shop\/app\/models\/cart\.rb:8, the line to look at: all 250 root paths pass through it$/m);
    expect(run.stdout).toMatch(/^ {4}Held by ARRAY allocated at \(erb\) "app\\views\\carts\\show\.html\.erb":1, the line to look at/m);
    expect(run.stdout).toMatch(/^ {2}Retainers: C's reference graph, 8210 objects \(\d+ reachable from \d+ root references\), \d+ references$/m);
  });

  it('without --why, a 3-way text report says how to get the holders', () => {
    const run = runCli(['heap', 'diff', A, B, C, '--top', '1']);
    expect(run.stdout).toContain('Who holds them? gemleak heap diff A B C --why');
    expect(run.stdout).not.toContain('Held by');
  });

  it('--why needs C', () => {
    const run = runCli(['heap', 'diff', A, B, '--why']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--why needs the third dump C/);
  });
});
