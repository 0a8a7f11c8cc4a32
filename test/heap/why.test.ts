import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffHeapDumps } from '../../src/heap/diff.js';
import { findRootPath } from '../../src/heap/path.js';
import type { HeapDiffResult, HeapGroup, PathHop } from '../../src/heap/types.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { SKIP_NO_SHARED, hasShared, sharedRoot } from '../helpers/paths.js';
import { writeDump } from './dumps.js';

/**
 * `heap diff --why` against ../shared/heapdumps/<case>/why.json (an independent BFS over dump C,
 * checked by removing each holder), and every reported path checked against the dump itself: a real
 * chain of `references` edges from a ROOT record, and no longer than the shortest one.
 */

const root = path.join(sharedRoot, 'heapdumps');

interface WhyHop {
  type: string;
  root?: string;
  address?: string;
  file?: string | null;
  line?: number | null;
}
interface WhyLeak {
  type: string;
  file: string | null;
  line: number | null;
  count: number;
  root_category: string;
  holder: { type: string; class: string | null; file: string | null; line: number | null; address_in_C: string };
  path: WhyHop[];
}
interface Why {
  case: string;
  leaks: WhyLeak[];
}

const whys: Why[] = hasShared
  ? readdirSync(root)
      .filter((name) => existsSync(path.join(root, name, 'why.json')))
      .sort()
      .map((name) => JSON.parse(readFileSync(path.join(root, name, 'why.json'), 'utf8')) as Why)
  : [];

const dump = (name: string, role: 'A' | 'B' | 'C') => ({ path: path.join(root, name, `${role}.ndjson.gz`), label: `${name}/${role}` });

function diffWhy(name: string): Promise<HeapDiffResult> {
  return diffHeapDumps({ before: dump(name, 'A'), after: dump(name, 'B'), retained: dump(name, 'C'), why: true });
}

/** Dump C read the slow, obvious way: every line's references, and BFS distances from the roots. */
interface Reference {
  edges: Map<string, string[]>;
  roots: Map<string, Set<string>>;
  distance: Map<string, number>;
}

function readReference(name: string): Reference {
  const text = gunzipSync(readFileSync(dump(name, 'C').path)).toString('utf8');
  const edges = new Map<string, string[]>();
  const roots = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const address = /"address":"(0x[0-9a-f]+)"/.exec(line)?.[1];
    const references = [...(/"references":\[([^\]]*)\]/.exec(line)?.[1] ?? '').matchAll(/"(0x[0-9a-f]+)"/g)].map((match) => match[1] as string);
    const category = /^\{"type":"ROOT", "root":"([^"]+)"/.exec(line)?.[1];
    if (category !== undefined) {
      const set = roots.get(category) ?? new Set<string>();
      for (const target of references) set.add(target);
      roots.set(category, set);
    } else if (address !== undefined && !edges.has(address)) edges.set(address, references);
  }
  const distance = new Map<string, number>();
  let level = [...new Set([...roots.values()].flatMap((set) => [...set]))].filter((address) => edges.has(address));
  for (const address of level) distance.set(address, 1);
  for (let depth = 2; level.length > 0; depth += 1) {
    const next: string[] = [];
    for (const from of level) {
      for (const to of edges.get(from) ?? []) {
        if (!distance.has(to) && edges.has(to)) {
          distance.set(to, depth);
          next.push(to);
        }
      }
    }
    level = next;
  }
  return { edges, roots, distance };
}

/** The path is ROOT → hops[0] → … → hops[n-1], each a real edge, and as short as any. */
function expectRealShortestPath(reference: Reference, category: string, hops: readonly PathHop[]): void {
  const first = hops[0] as PathHop;
  expect(reference.roots.get(category)?.has(first.address), `ROOT ${category} references ${first.address}`).toBe(true);
  for (let i = 1; i < hops.length; i += 1) {
    const from = (hops[i - 1] as PathHop).address;
    const to = (hops[i] as PathHop).address;
    expect(reference.edges.get(from)?.includes(to), `${from} references ${to}`).toBe(true);
  }
  expect(hops.length).toBe(reference.distance.get((hops[hops.length - 1] as PathHop).address));
}

function groupOf(result: HeapDiffResult, leak: { type: string; file: string | null; line: number | null }): HeapGroup | undefined {
  return result.groups.find((group) => group.type === leak.type && group.file === leak.file && group.line === (leak.line === null ? null : String(leak.line)));
}

describe.skipIf(!hasShared)(`heap diff --why on ../shared/heapdumps matches why.json ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  it('finds the cases', () => {
    expect(whys.length).toBeGreaterThanOrEqual(10);
    expect(whys.some((why) => why.case === 'no_leak')).toBe(true);
  });

  it.each(whys.filter((why) => why.leaks.length > 0).map((why) => [why.case, why] as const))('%s: the holder, root and path of every leak group', async (name, why) => {
    const result = await diffWhy(name);
    const reference = readReference(name);
    expect(result.graph?.rootEdges).toBeGreaterThan(0);
    for (const leak of why.leaks) {
      const label = `${leak.type} ${leak.file}:${leak.line}`;
      const group = groupOf(result, leak);
      expect(group, label).toBeDefined();
      const retainers = group?.retainers;
      expect(retainers?.reachable, label).toBe(leak.count);
      const holder = retainers?.holder;
      expect(holder?.address, `${label} holder`).toBe(leak.holder.address_in_C);
      expect({ type: holder?.type, file: holder?.file, line: holder?.line ?? null }).toEqual({
        type: leak.holder.type,
        file: leak.holder.file,
        line: leak.holder.line === null ? null : String(leak.holder.line),
      });
      const main = retainers?.clusters[0];
      expect(main?.root, `${label} root`).toBe(leak.root_category);
      expect(main?.hops.length, `${label} path length`).toBe(leak.path.length - 1);
      expect(main?.hops[main.holderIndex]?.address, `${label} holder on the path`).toBe(leak.holder.address_in_C);
      for (const cluster of retainers?.clusters ?? []) expectRealShortestPath(reference, cluster.root, cluster.hops);
      if (holder !== undefined && holder !== null) expectRealShortestPath(reference, holder.root, holder.path);
    }
  });

  it('no_leak reports no holder (only VM bookkeeping is retained, and says so)', async () => {
    const result = await diffWhy('no_leak');
    expect(result.groups.length).toBeGreaterThan(0);
    expect(result.groups.every((group) => group.vmInternal && group.retainers !== null && group.retainers.holder === null)).toBe(true);
    const run = runCli(['heap', 'diff', dump('no_leak', 'A').path, dump('no_leak', 'B').path, dump('no_leak', 'C').path, '--why']);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('Held by');
    expect(run.stdout).toContain('No growth between these dumps');
  });

  it('a truncated C warns that the graph is incomplete', async () => {
    const result = await diffWhy('awk_truncated_c');
    expect(result.warnings.map((warning) => warning.code)).toContain('HEAP_GRAPH_INCOMPLETE');
  });

  it('the text report names the holder line and the path under the group', () => {
    const run = runCli(['heap', 'diff', dump('hash_cache', 'A').path, dump('hash_cache', 'B').path, dump('hash_cache', 'C').path, '--why']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Retained ARRAY 300 objects of size .* at: \/srv\/app\/hash_cache\.rb:17\n {4}Held by HASH allocated at \/srv\/app\/hash_cache\.rb:12, the line to look at: all 300 root paths pass through it\n {4}300 objects: ROOT vm .* → CLASS Object → \[HASH \/srv\/app\/hash_cache\.rb:12\] → ARRAY \/srv\/app\/hash_cache\.rb:17$/m,
    );
  });

  it('JSON: a retainers array per group, with root category, holder, path and count', () => {
    const run = runCli(['heap', 'diff', dump('global_array', 'A').path, dump('global_array', 'B').path, dump('global_array', 'C').path, '--why', '--format', 'json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const group = report.groups.find((g: { line: number; type: string }) => g.type === 'STRING' && g.line === 17);
    expect(group.holder).toMatchObject({ type: 'ARRAY', file: '/srv/app/global_array.rb', line: 12, root_category: 'global_tbl', paths_through: 500 });
    expect(group.retainers).toHaveLength(1);
    expect(group.retainers[0]).toMatchObject({ count: 500, root_category: 'global_tbl', machine_stack: false, holder: { type: 'ARRAY', line: 12 }, holder_index: 1 });
    expect(group.retainers[0].path.map((hop: { type: string }) => hop.type)).toEqual(['ROOT', 'ARRAY', 'STRING']);
    expect(group.sample_addresses).toHaveLength(5);
    expect(report.retainer_graph).toMatchObject({ dump: 'C', root_categories: ['vm', 'machine_context', 'global_list', 'global_tbl'] });
  });

  it('--compat heapy output is unchanged, and refuses --why', () => {
    const files = ['A', 'B', 'C'].map((role) => dump('global_array', role as 'A').path);
    const heapy = runCli(['heap', 'diff', ...files, '--compat', 'heapy']);
    expect(heapy.stdout).toMatch(/^Retained STRING 500 objects of size \d+\/\d+ \(in bytes\) at: \/srv\/app\/global_array\.rb:17$/m);
    expect(heapy.stdout).not.toContain('Held by');
    const clash = runCli(['heap', 'diff', ...files, '--compat', 'heapy', '--why']);
    expect(clash.status).toBe(2);
  });

  it('heap path: the root path of one object, as a real shortest chain', async () => {
    const why = whys.find((entry) => entry.case === 'hash_cache') as Why;
    const leak = why.leaks[0] as WhyLeak;
    const target = leak.path[leak.path.length - 1]?.address as string;
    const result = await findRootPath({ dump: dump('hash_cache', 'C'), address: target });
    expect(result.root).toBe('vm');
    expect(result.hops.map((hop) => hop.address)).toEqual(leak.path.slice(1).map((hop) => hop.address));
    expectRealShortestPath(readReference('hash_cache'), 'vm', result.hops);
    const run = runCli(['heap', 'path', dump('hash_cache', 'C').path, target]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ROOT vm');
    expect(run.stdout).toMatch(/→ HASH \/srv\/app\/hash_cache\.rb:12 /);
    const missing = runCli(['heap', 'path', dump('hash_cache', 'C').path, '0x10']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/holds no object at 0x10/);
  });

  it('heap grow: the leaking containers grow in every dump and come first', async () => {
    for (const [name, line] of [
      ['global_array', '12'],
      ['hash_cache', '12'],
    ] as const) {
      const run = runCli(['heap', 'grow', ...['A', 'B', 'C'].map((role) => dump(name, role as 'A').path), '--format', 'json']);
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.containers[0], name).toMatchObject({ line: Number(line), first: expect.any(Number), last: expect.any(Number) });
      expect(report.containers[0].last - report.containers[0].first).toBeGreaterThanOrEqual(500);
    }
    const noLeak = runCli(['heap', 'grow', ...['A', 'B', 'C'].map((role) => dump('no_leak', role as 'A').path), '--format', 'json']);
    const grown = JSON.parse(noLeak.stdout).containers as { growth: number; file: string | null }[];
    expect(grown.filter((container) => container.growth >= 100)).toEqual([]);
  });

  it('heap grow follows containers without allocation tracing (no_trace)', () => {
    const run = runCli(['heap', 'grow', ...['A', 'B', 'C'].map((role) => dump('no_trace', role as 'A').path), '--format', 'json']);
    expect(run.status).toBe(0);
    const top = JSON.parse(run.stdout).containers[0];
    expect(top).toMatchObject({ type: 'ARRAY', file: null, root_category: 'global_tbl', measure: 'length' });
    expect(top.last - top.first).toBe(1000);
  });
});

describe.skipIf(!hasShared)(`--why on a dump without ROOT records (a since: dump) ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('gemleak-why-');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('warns that no path can be found, and shows none', async () => {
    const text = gunzipSync(readFileSync(dump('global_array', 'C').path)).toString('utf8');
    const partial = writeDump(
      dir,
      'C-since.ndjson',
      text
        .split('\n')
        .filter((line) => !line.startsWith('{"type":"ROOT"'))
        .join('\n'),
    );
    const result = await diffHeapDumps({ before: dump('global_array', 'A'), after: dump('global_array', 'B'), retained: { path: partial, label: 'C-since' }, why: true });
    expect(result.warnings.map((warning) => warning.code)).toContain('HEAP_NO_ROOTS');
    expect(result.groups.every((group) => group.retainers === null)).toBe(true);
  });
});
