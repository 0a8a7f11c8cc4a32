import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffHeapDumps } from '../../src/heap/diff.js';
import { selectGroups } from '../../src/heap/groups.js';
import type { HeapDiffOptions, HeapDiffResult, HeapGroup } from '../../src/heap/types.js';
import { renderHeapyLines } from '../../src/report/heap-heapy.js';
import { tempDir } from '../helpers/fixtures.js';
import { CLASS_LINES, type FakeObject, dumpText, lifeOfAProcess, shopDir, shopDump, slot, writeDump } from './dumps.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('gemleak-heap-diff-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const input = (file: string) => ({ path: file, label: `${path.basename(path.dirname(file))}/${path.basename(file)}` });

function diff(files: { A: string; B: string; C?: string }, options: Partial<HeapDiffOptions> = {}): Promise<HeapDiffResult> {
  return diffHeapDumps({ before: input(files.A), after: input(files.B), retained: files.C === undefined ? undefined : input(files.C), ...options });
}

function count(result: HeapDiffResult, where: { type?: string; file?: string | null; line?: number | null }): number {
  return result.groups
    .filter(
      (group) =>
        (where.type === undefined || group.type === where.type) &&
        (where.file === undefined || group.file === where.file) &&
        (where.line === undefined || group.line === (where.line === null ? null : String(where.line))),
    )
    .reduce((sum, group) => sum + group.count, 0);
}

/** Writes A, B, C texts into a fresh folder and returns their paths. */
function writeCase(name: string, texts: { A: string | Buffer; B: string | Buffer; C?: string | Buffer }, gzip = false): { A: string; B: string; C?: string } {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  const files: { A: string; B: string; C?: string } = { A: writeDump(folder, 'A.ndjson', texts.A, { gzip }), B: writeDump(folder, 'B.ndjson', texts.B, { gzip }) };
  if (texts.C !== undefined) files.C = writeDump(folder, 'C.ndjson', texts.C, { gzip });
  return files;
}

interface TruthEntry {
  file: string;
  line: number;
  type: string | null;
  count: number | null;
}
const truth = JSON.parse(readFileSync(path.join(shopDir, 'truth.json'), 'utf8')) as { leaks: TruthEntry[]; must_not_be_retained: TruthEntry[] };
const shop = { A: shopDump('A'), B: shopDump('B'), C: shopDump('C') };

describe('heap diff on real Ruby 3.1 dumps (committed fixture)', () => {
  it('finds every leak with its exact count, and nothing the truth rules out', async () => {
    const result = await diff(shop);
    for (const leak of truth.leaks) expect(count(result, { type: leak.type ?? undefined, file: leak.file, line: leak.line }), `${leak.file}:${leak.line}`).toBe(leak.count);
    const leakSites = new Set(truth.leaks.map((leak) => `${leak.file}:${leak.line}`));
    for (const population of truth.must_not_be_retained.filter((entry) => !leakSites.has(`${entry.file}:${entry.line}`) && entry.type !== null)) {
      expect(count(result, { type: population.type ?? undefined, file: population.file, line: population.line }), `${population.file}:${population.line}`).toBe(0);
    }
    expect(result.mode).toBe('retained');
    expect(result.identity).toBe('strict');
  });

  it('names classes the dump names: the leaked objects are Sessions', async () => {
    const result = await diff(shop);
    const sessions = result.groups.find((group) => group.type === 'OBJECT' && group.line === '24');
    expect(sessions?.className).toBe('Session');
  });

  it('drops the dump machinery noise (slot reuse) that address identity reports', async () => {
    const strict = await diff(shop);
    const address = await diff(shop, { identity: 'address' });
    const noise = (result: HeapDiffResult) => result.groups.filter((group) => group.type === 'FILE' || group.type === 'DATA').length;
    expect(noise(strict)).toBe(0);
    expect(noise(address)).toBeGreaterThan(0);
  });

  it('reports exactly the recovered template lines, with one warning per file', async () => {
    const result = await diff(shop);
    const unescaped = result.warnings.filter((warning) => warning.code === 'HEAP_UNESCAPED_FILE');
    expect(unescaped.map((warning) => warning.file)).toEqual(['shop/A.ndjson.gz', 'shop/B.ndjson.gz', 'shop/C.ndjson.gz']);
    expect(unescaped[1]?.message).toMatch(/^\d+ lines have a file name that Ruby wrote without JSON escaping.*lines \d+, \d+/);
  });

  it('in 2-way mode reports everything allocated between A and B, including what C no longer has', async () => {
    const result = await diff({ A: shop.A, B: shop.B });
    expect(result.mode).toBe('allocated');
    expect(result.retained).toBeNull();
    expect(count(result, { type: 'ARRAY', file: '/srv/shop/app/models/cart.rb', line: 26 })).toBe(120);
    expect(count(result, { type: 'OBJECT', file: '/srv/shop/app/models/cart.rb', line: 24 })).toBe(250);
    expect(result.allocated.count).toBe(result.groups.reduce((sum, group) => sum + group.count, 0));
  });

  it('--compat heapy gives the lines heapy 0.2.0 printed for the same dumps, byte for byte', async () => {
    for (const [files, expected] of [
      [shop, 'heapy-3way.txt'],
      [{ A: shop.A, B: shop.B }, 'heapy-2way.txt'],
    ] as const) {
      const result = await diff(files, { heapy: true });
      const lines = renderHeapyLines(result, selectGroups(result.groups, { order: 'heapy', filters: [], excludes: [], top: null }).shown);
      expect(lines).toBe(readFileSync(path.join(shopDir, expected), 'utf8'));
    }
  });
});

describe('identity: strict by default, address-only on request', () => {
  let files: { A: string; B: string; C?: string };
  beforeAll(() => {
    files = writeCase('life', lifeOfAProcess());
  });

  it('strict: the leak only, with class names', async () => {
    const result = await diff(files);
    const shown = result.groups.map((group) => [group.type, group.className, group.file, group.line, group.count]);
    expect(shown).toEqual(
      expect.arrayContaining([
        ['OBJECT', 'Session', '/srv/app/models/session.rb', '12', 30],
        ['STRING', 'String', '/srv/app/models/session.rb', '13', 30],
      ]),
    );
    expect(result.groups).toHaveLength(2);
    expect(result.allocated.count).toBe(70);
    expect(result.retained).toEqual({ count: 60, memsize: 30 * 40 + 30 * 71 });
  });

  it('address: the arrays freed after B pass for retained, because new arrays took their slots', async () => {
    const result = await diff(files, { identity: 'address' });
    expect(count(result, { type: 'ARRAY', file: '/srv/app/batch.rb', line: 5 })).toBe(10);
  });
});

describe('bad input never crashes and is never silent', () => {
  const objects = (from: number, to: number, generation = 3): FakeObject[] =>
    Array.from({ length: to - from }, (_, i) => ({ address: slot(from + i), type: 'STRING', file: '/srv/app/a.rb', line: 1, generation, memsize: 40 }));

  it('counts lines that are not JSON objects, skips them, and names the first line numbers', async () => {
    const B = dumpText(objects(0, 5), ['I, [2024] INFO -- : Started GET /', '', '[1, 2, 3]', '{"address":"0x1", "type":"STR']);
    const files = writeCase('garbage', { A: dumpText(objects(0, 2)), B, C: B });
    const result = await diff(files);
    const [warning] = result.warnings.filter((w) => w.code === 'HEAP_BAD_LINES');
    expect(warning?.file).toBe('garbage/B.ndjson');
    expect(warning?.message).toBe('4 lines are not JSON objects, skipped (1 of them valid JSON but not an object): lines 8, 9, 10, 11');
    expect(result.groups.map((group) => group.count)).toEqual([3]);
  });

  it('says when the last line is cut short: the dump looks truncated', async () => {
    const C = dumpText(objects(0, 5)).concat('{"address":"0x7f3820000fa0", "type":"STRI');
    const files = writeCase('truncated', { A: dumpText(objects(0, 2)), B: dumpText(objects(0, 5)), C });
    const result = await diff(files);
    const warning = result.warnings.find((w) => w.code === 'HEAP_BAD_LINES');
    expect(warning?.file).toBe('truncated/C.ndjson');
    expect(warning?.message).toContain('line 8; the last line is cut short: the dump looks truncated');
  });

  it('ignores a byte-order mark, and says so', async () => {
    const files = writeCase('bom', { A: dumpText(objects(0, 2)), B: `\u{feff}${dumpText(objects(0, 5))}`, C: dumpText(objects(0, 5)) });
    const result = await diff(files);
    expect(result.warnings.map((w) => w.code)).toEqual(['HEAP_BOM']);
    expect(result.groups[0]?.count).toBe(3);
  });

  it('accepts CRLF line endings silently', async () => {
    const crlf = (text: string) => text.replaceAll('\n', '\r\n');
    const files = writeCase('crlf', { A: crlf(dumpText(objects(0, 2))), B: crlf(dumpText(objects(0, 5))), C: crlf(dumpText(objects(0, 5))) });
    const result = await diff(files);
    expect(result.warnings).toEqual([]);
    expect(result.groups[0]?.count).toBe(3);
  });

  it('reads gzipped dumps by their content', async () => {
    const files = writeCase('gzip', { A: dumpText(objects(0, 2)), B: dumpText(objects(0, 5)), C: dumpText(objects(0, 5)) }, true);
    expect(files.B.endsWith('.ndjson')).toBe(true);
    const result = await diff(files);
    expect(result.dumps.map((dump) => dump.gzip)).toEqual([true, true, true]);
    expect(result.groups[0]?.count).toBe(3);
  });

  it('ignores free slots of full: true dumps (and says so); heapy mode counts them like heapy', async () => {
    const free = (from: number, to: number): FakeObject[] => Array.from({ length: to - from }, (_, i) => ({ address: slot(from + i), type: 'NONE', flags: false }));
    // A's free slots 10..14 are taken by new objects before B; C keeps B's objects.
    const files = writeCase('full', { A: dumpText([...objects(0, 2), ...free(10, 15)]), B: dumpText(objects(0, 2).concat(objects(10, 15, 5))), C: dumpText(objects(0, 2).concat(objects(10, 15, 5))) });
    const strict = await diff(files);
    expect(strict.groups[0]?.count).toBe(5);
    expect(strict.warnings.find((w) => w.code === 'HEAP_FULL_DUMP')?.message).toBe('was written with dump_all(full: true): its 5 free-slot records (type NONE) are not objects and were ignored');
    const heapy = await diff(files, { heapy: true });
    expect(heapy.groups).toEqual([]);
    expect(heapy.warnings.find((w) => w.code === 'HEAP_FULL_DUMP')?.message).toContain('counted as objects, as heapy does');
  });

  it('says how to turn allocation tracing on when no object has a file/line', async () => {
    const untraced = (from: number, to: number): FakeObject[] => Array.from({ length: to - from }, (_, i) => ({ address: slot(from + i), type: 'STRING', memsize: 40 }));
    const files = writeCase('untraced', { A: dumpText(untraced(0, 2)), B: dumpText(untraced(0, 5)), C: dumpText(untraced(0, 5)) });
    const result = await diff(files);
    expect(result.groups).toMatchObject([{ type: 'STRING', file: null, line: null, count: 3 }]);
    expect(result.warnings.find((w) => w.code === 'HEAP_NO_TRACING')?.message).toContain('ObjectSpace.trace_object_allocations_start');
  });

  it('warns when the dumps look out of order (GC generations going backwards)', async () => {
    const { A, B, C } = lifeOfAProcess();
    const files = writeCase('order', { A: C, B, C: A });
    const result = await diff(files);
    expect(result.warnings.find((w) => w.code === 'HEAP_OUT_OF_ORDER')?.message).toContain('A 11, B 8, C 2');
  });

  it('warns when B shares almost nothing with A', async () => {
    const files = writeCase('unrelated', { A: dumpText(objects(0, 1500)), B: dumpText(objects(5000, 6500)), C: dumpText(objects(5000, 6500)) });
    const result = await diff(files);
    expect(result.warnings.find((w) => w.code === 'HEAP_UNRELATED')?.message).toMatch(/^B shares only 0\.0% of its objects with A/);
  });

  it('warns when new objects lack allocation sites although tracing was on (compaction)', async () => {
    const moved = (from: number, to: number): FakeObject[] => Array.from({ length: to - from }, (_, i) => ({ address: slot(from + i), type: 'STRING', memsize: 40 }));
    const files = writeCase('compacted', { A: dumpText(objects(0, 10)), B: dumpText([...objects(0, 10), ...moved(100, 200)]), C: dumpText([...objects(0, 10), ...moved(100, 200)]) });
    const result = await diff(files);
    expect(result.warnings.find((w) => w.code === 'HEAP_UNLOCATED_OBJECTS')?.message).toMatch(/^100 of the 100 objects new in B have no allocation file\/line/);
  });

  it('warns when the same file is given twice', async () => {
    const files = writeCase('same', { A: dumpText(objects(0, 2)), B: dumpText(objects(0, 5)) });
    const result = await diff({ A: files.A, B: files.B, C: files.B });
    expect(result.warnings.find((w) => w.code === 'HEAP_SAME_FILE')?.message).toBe('B and C are the same file: take a separate dump for each');
  });

  it.each([
    ['an empty file', () => writeDump(path.join(dir, 'errors'), 'empty.ndjson', ''), 'HEAP_EMPTY', /is empty \(0 bytes\)/],
    ['an empty gzip file', () => writeDump(path.join(dir, 'errors'), 'empty.ndjson.gz', gzipSync('')), 'HEAP_EMPTY', /empty once decompressed/],
    ['a missing file', () => path.join(dir, 'errors', 'missing.ndjson'), 'HEAP_MISSING', /no such file/],
    ['a directory', () => dir, 'HEAP_NOT_A_FILE', /is a directory/],
    [
      'gzip that does not inflate',
      () => writeDump(path.join(dir, 'errors'), 'bad.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03, 0xff, 0xff, 0xff])),
      'HEAP_BAD_GZIP',
      /does not inflate/,
    ],
    ['a file with no JSON object at all', () => writeDump(path.join(dir, 'errors'), 'log.txt', 'Started GET /\nCompleted 200\n'), 'HEAP_NOT_A_DUMP', /not an ObjectSpace\.dump_all file/],
  ])('%s is an error (exit 2) naming the file', async (_name, make, code, message) => {
    const good = writeCase('good', { A: dumpText(objects(0, 2)), B: dumpText(objects(0, 5)) });
    const bad = make();
    const failure = diff({ A: good.A, B: bad });
    await expect(failure).rejects.toMatchObject({ code, exitCode: 2, file: input(bad).label });
    await expect(failure).rejects.toThrow(message);
  });
});

describe('heapy compatibility on hand-made inputs', () => {
  it('keys a missing address like heapy: B ROOT lines count when A has no line without an address', async () => {
    const A = '{"address":"0x1", "type":"STRING", "file":"old.rb", "line":1, "memsize":40}\n';
    const B = '{"type":"ROOT", "root":"vm", "references":["0x1"]}\n{"address":"0x10", "type":"STRING", "file":"app.rb", "line":1, "memsize":40}\n';
    const C = '{"type":"ROOT", "root":"vm", "references":[]}\n{"address":"0x10", "type":"STRING", "file":"app.rb", "line":1, "memsize":40}\n';
    const files = writeCase('roots', { A, B, C });
    const heapy = await diff(files, { heapy: true });
    expect(renderHeapyLines(heapy, selectGroups(heapy.groups, { order: 'heapy', filters: [], excludes: [], top: null }).shown)).toBe(
      'Retained STRING 1 objects of size 40/40 (in bytes) at: app.rb:1\nRetained ROOT 1 objects of size 0/40 (in bytes) at: :\n',
    );
    const strict = await diff(files);
    expect(strict.groups.map((group) => group.type)).toEqual(['STRING']);
  });

  it('groups "line":1 with "line":"1", and orders ties by the later first appearance', async () => {
    const B = [
      '{"address":"0x10", "type":"STRING", "file":"a.rb", "line":1, "memsize":40}',
      '{"address":"0x11", "type":"STRING", "file":"b.rb", "line":2, "memsize":40}',
      '{"address":"0x12", "type":"STRING", "file":"a.rb", "line":"1", "memsize":40}',
      '{"address":"0x13", "type":"STRING", "file":"b.rb", "line":2, "memsize":null}',
      '{"address":"0x14", "type":"HASH", "memsize":160}',
    ].join('\n');
    const files = writeCase('ties', { A: '{"address":"0x1", "type":"STRING"}\n', B: `${B}\n` });
    const result = await diff(files, { heapy: true });
    expect(renderHeapyLines(result, selectGroups(result.groups, { order: 'heapy', filters: [], excludes: [], top: null }).shown)).toBe(
      [
        'Allocated STRING 2 objects of size 40/280 (in bytes) at: b.rb:2',
        'Allocated STRING 2 objects of size 80/280 (in bytes) at: a.rb:1',
        'Allocated HASH 1 objects of size 160/280 (in bytes) at: :',
        '',
      ].join('\n'),
    );
  });
});

describe('reading dumps in byte ranges gives the same answer as reading them whole', () => {
  it('splits A and B into ranges without losing or doubling a line', async () => {
    const { A, B, C } = lifeOfAProcess({ kept: 30_000, leaks: 20_000, padding: 60 });
    const files = writeCase('big', { A, B, C });
    // Under vitest there is no compiled worker script, so the ranges run one after the other.
    const whole = await diff(files, { workers: 1 });
    for (const workers of [2, 3]) {
      const split = await diff(files, { workers });
      expect(split.groups).toEqual(whole.groups);
      expect(split.dumps.map((dump) => dump.stats)).toEqual(whole.dumps.map((dump) => dump.stats));
    }
    expect(count(whole, { type: 'OBJECT', line: 12 })).toBe(20_000);
    expect(count(whole, { type: 'STRING', line: 13 })).toBe(20_000);
    expect(whole.dumps[1]?.stats.objects).toBe(2 + 30_000 + 40_000 + 10);
  });

  it('numbers bad lines across ranges as lines of the whole file', async () => {
    const { A, B, C } = lifeOfAProcess({ kept: 30_000, leaks: 10_000, padding: 60 });
    const lines = B.split('\n');
    lines.splice(40_000, 0, 'garbage in the second half');
    const files = writeCase('big-garbage', { A, B: lines.join('\n'), C });
    const split = await diff(files, { workers: 2 });
    expect(split.warnings.find((w) => w.code === 'HEAP_BAD_LINES')?.message).toContain('line 40001');
  });
});

describe('selectGroups', () => {
  const group = (file: string | null, count: number, memsize: number, firstOffset = 0): HeapGroup => ({
    type: 'STRING',
    className: null,
    file,
    line: '1',
    count,
    memsize,
    vmInternal: false,
    firstOffset,
    sampleAddresses: [],
    retainers: null,
  });
  const groups = [group('/srv/app/a.rb', 5, 100), group('/gems/rack/b.rb', 9, 50), group('/srv/app/c.rb', 5, 300), group(null, 2, 10)];

  it('orders by count (then memsize) or by memsize, shows the top N and counts the rest', () => {
    const byCount = selectGroups(groups, { order: 'count', filters: [], excludes: [], top: 2 });
    expect(byCount.shown.map((g) => g.file)).toEqual(['/gems/rack/b.rb', '/srv/app/c.rb']);
    expect(byCount.hidden).toEqual({ groups: 2, count: 7, memsize: 110 });
    const byMemsize = selectGroups(groups, { order: 'memsize', filters: [], excludes: [], top: null });
    expect(byMemsize.shown.map((g) => g.memsize)).toEqual([300, 100, 50, 10]);
  });

  it('keeps groups whose file contains any --filter text and drops --exclude matches', () => {
    expect(selectGroups(groups, { order: 'count', filters: ['/srv/app/'], excludes: [], top: null }).matching.map((g) => g.file)).toEqual(['/srv/app/c.rb', '/srv/app/a.rb']);
    expect(selectGroups(groups, { order: 'count', filters: [], excludes: ['/gems/'], top: null }).matchingTotal).toEqual({ count: 12, memsize: 410 });
    expect(selectGroups(groups, { order: 'count', filters: ['a.rb', 'b.rb'], excludes: ['rack'], top: null }).matching.map((g) => g.file)).toEqual(['/srv/app/a.rb']);
  });
});

describe('class names', () => {
  it('shows no class for types whose class member is not an instance class', async () => {
    const imemo: FakeObject = { address: slot(1), type: 'IMEMO', class: CLASS_LINES[1]?.address, middle: '"imemo_type":"ment"', file: '/srv/app/x.rb', line: 2, generation: 4, memsize: 40 };
    const files = writeCase('imemo', { A: dumpText([...CLASS_LINES]), B: dumpText([...CLASS_LINES, imemo]) });
    const result = await diff(files);
    expect(result.groups).toMatchObject([{ type: 'IMEMO', className: null, vmInternal: true }]);
  });
});
