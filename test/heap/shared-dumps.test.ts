import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { diffHeapDumps } from '../../src/heap/diff.js';
import { selectGroups } from '../../src/heap/groups.js';
import type { HeapDiffResult } from '../../src/heap/types.js';
import { renderHeapyLines } from '../../src/report/heap-heapy.js';
import { tempDir } from '../helpers/fixtures.js';
import { SKIP_NO_SHARED, hasShared, sharedRoot } from '../helpers/paths.js';
import { skippedWithoutCorpus } from '../helpers/skip.js';

/**
 * The real Ruby 3.1 dumps of ../shared/heapdumps against their ground truth (truth.json): every
 * leak site with its count, every population that must not be reported, every awkward input.
 */

const root = path.join(sharedRoot, 'heapdumps');

interface TruthEntry {
  tag: string;
  file: string;
  line: string;
  type: string;
  count: number;
  strict_identity_count: number;
}
interface Truth {
  case: string;
  leaks: TruthEntry[];
  must_not_be_retained: TruthEntry[];
  allocation_tracing: boolean;
}

function dumpPath(name: string, role: 'A' | 'B' | 'C'): string {
  const gz = path.join(root, name, `${role}.ndjson.gz`);
  return existsSync(gz) ? gz : path.join(root, name, `${role}.ndjson`);
}

function diffCase(name: string, options: { twoWay?: boolean; heapy?: boolean } = {}): Promise<HeapDiffResult> {
  const input = (role: 'A' | 'B' | 'C') => ({ path: dumpPath(name, role), label: `${name}/${role}` });
  return diffHeapDumps({ before: input('A'), after: input('B'), retained: options.twoWay ? undefined : input('C'), heapy: options.heapy ?? false });
}

/** Objects reported at a site. Without tracing the dumps cannot name the site: they land in the unknown location. */
function reportedAt(result: HeapDiffResult, entry: TruthEntry, traced: boolean): number {
  return result.groups
    .filter((group) => group.type === entry.type && (traced ? group.file === entry.file && group.line === entry.line : group.file === null && group.line === null))
    .reduce((sum, group) => sum + group.count, 0);
}

/**
 * What gemleak must report at a site: what a diff with strict identity can know from the dumps.
 * The one place gemleak knows more: lines with unescaped file names, which a strict JSON parser
 * drops and gemleak recovers.
 */
function expectedCount(truth: Truth, entry: TruthEntry): number {
  return truth.case === 'eval_filename' ? (entry.tag === 'LEAK' ? entry.count : 0) : entry.strict_identity_count;
}

const cases = hasShared ? readdirSync(root).filter((name) => existsSync(path.join(root, name, 'truth.json'))) : [];
const truths = cases.map((name) => JSON.parse(readFileSync(path.join(root, name, 'truth.json'), 'utf8')) as Truth);
const emptyCases = new Map([
  ['awk_empty_a', 'A'],
  ['awk_empty_b', 'B'],
  ['awk_empty_c', 'C'],
]);

describe.skipIf(!hasShared)(`heap diff on ../shared/heapdumps matches truth.json ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  it('finds the cases', () => {
    expect(truths.length).toBeGreaterThanOrEqual(18);
  });

  skippedWithoutCorpus('each case of ../shared/heapdumps: what truth.json says is retained');
  it.each(truths.filter((truth) => !emptyCases.has(truth.case)).map((truth) => [truth.case, truth]))('%s', async (_name, truth) => {
    const result = await diffCase(truth.case);
    for (const entry of [...truth.leaks, ...truth.must_not_be_retained]) {
      expect(reportedAt(result, entry, truth.allocation_tracing), `${entry.tag} ${entry.type} ${entry.file}:${entry.line}`).toBe(expectedCount(truth, entry));
    }
  });

  it.each([...emptyCases])('%s: the empty %s is an error naming it', async (name, role) => {
    await expect(diffCase(name)).rejects.toMatchObject({ code: 'HEAP_EMPTY', file: `${name}/${role}`, exitCode: 2 });
  });

  it("awk_empty_c: its empty C fails the 3-way diff, and the 2-way diff of its A and B is global_array's", async () => {
    // The 3-way diff names C; the 2-way one leaves C out, so the empty file cannot matter there.
    await expect(diffCase('awk_empty_c')).rejects.toMatchObject({ code: 'HEAP_EMPTY', file: 'awk_empty_c/C' });
    const twoWay = await diffCase('awk_empty_c', { twoWay: true });
    const reference = await diffCase('global_array', { twoWay: true });
    expect(twoWay.mode).toBe('allocated');
    const shape = (result: HeapDiffResult) => result.groups.map((group) => `${group.type} ${group.file}:${group.line} ${group.count}`).sort();
    expect(shape(twoWay)).toEqual(shape(reference));
    expect(shape(twoWay)).toContain('STRING /srv/app/global_array.rb:17 500');
  });

  it('lifecycle 2-way: the arrays alive at B only belong to the allocated report', async () => {
    const result = await diffCase('lifecycle', { twoWay: true });
    expect(result.groups.find((group) => group.type === 'ARRAY' && group.line === '25')?.count).toBe(333);
    expect(result.groups.find((group) => group.type === 'OBJECT' && group.line === '28')).toBeUndefined();
  });

  it('warns about the awkward inputs, one warning per file', async () => {
    const codes = async (name: string) => (await diffCase(name)).warnings.map((warning) => `${warning.code} ${warning.file}`);
    expect(await codes('awk_truncated_c')).toEqual(['HEAP_BAD_LINES awk_truncated_c/C']);
    expect(await codes('awk_garbage_lines')).toEqual(['HEAP_BAD_LINES awk_garbage_lines/B']);
    expect(await codes('awk_json_array_line')).toEqual(['HEAP_BAD_LINES awk_json_array_line/B']);
    expect(await codes('awk_bom')).toEqual(['HEAP_BOM awk_bom/B']);
    expect(await codes('awk_crlf')).toEqual([]);
    expect(await codes('global_array')).toEqual([]);
    expect(await codes('no_trace')).toEqual(['HEAP_NO_TRACING no_trace/B']);
    expect(await codes('full_dump')).toEqual(['HEAP_FULL_DUMP full_dump/A', 'HEAP_FULL_DUMP full_dump/B', 'HEAP_FULL_DUMP full_dump/C']);
    expect(await codes('compaction')).toEqual(['HEAP_UNLOCATED_OBJECTS compaction/B']);
    expect(await codes('syn_unparseable')).toEqual(['HEAP_BAD_LINES syn_unparseable/A', 'HEAP_NO_OBJECTS syn_unparseable/A', 'HEAP_BAD_LINES syn_unparseable/B', 'HEAP_BAD_LINES syn_unparseable/C']);
  });

  it('the truncated C: the warning gives the line cut short', async () => {
    const result = await diffCase('awk_truncated_c');
    expect(result.warnings[0]?.message).toBe(
      '1 line is not a JSON object, skipped: line 12966; the last line is cut short: the dump looks truncated (was the process killed while writing it?), so objects after the cut count as gone',
    );
  });

  it('the synthetic unparseable lines: 1 in A, 7 in B, 1 in C; 0x10 and 0x13 retained', async () => {
    const result = await diffCase('syn_unparseable');
    expect(result.dumps.map((dump) => dump.stats.badLines)).toEqual([1, 7, 1]);
    expect(result.groups).toMatchObject([{ type: 'STRING', file: 'app.rb', line: '1', count: 2 }]);
  });

  it('the dumps out of order are noticed', async () => {
    const input = (role: 'A' | 'B' | 'C') => ({ path: dumpPath('global_array', role), label: role });
    const result = await diffHeapDumps({ before: input('C'), after: input('B'), retained: input('A') });
    expect(result.warnings.map((warning) => warning.code)).toContain('HEAP_OUT_OF_ORDER');
  });
});

const heapyInstalled = spawnSync('heapy', ['version'], { encoding: 'utf8' }).stdout?.trim() === '0.2.0';
describe.skipIf(!hasShared || !heapyInstalled)(
  `--compat heapy prints what heapy 0.2.0 prints ${!hasShared ? SKIP_NO_SHARED : heapyInstalled ? '' : '(skipped: heapy 0.2.0 is not installed; Debian package ruby-heapy)'}`,
  () => {
    const scratch = tempDir('gemleak-heapy-');
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    // heapy crashes on a line that is valid JSON but not an object, and gemleak refuses empty dumps.
    const comparable = cases.filter((name) => name !== 'awk_json_array_line' && !emptyCases.has(name));
    const syntheticCases = hasShared ? readdirSync(root).filter((name) => name.startsWith('syn_')) : [];

    skippedWithoutCorpus('each case of ../shared/heapdumps: the lines heapy prints');
    it('has cases to compare', () => {
      expect(comparable.length).toBeGreaterThan(10);
      expect(syntheticCases.length).toBeGreaterThan(0);
    });
    it.each([...comparable, ...syntheticCases])('%s', async (name) => {
      const plain = (['A', 'B', 'C'] as const).map((role) => {
        const file = path.join(scratch, `${name}-${role}.ndjson`);
        const source = dumpPath(name, role);
        writeFileSync(file, source.endsWith('.gz') ? gunzipSync(readFileSync(source)) : readFileSync(source));
        return file;
      });
      const heapy = spawnSync('heapy', ['diff', ...plain], { encoding: 'utf8' });
      const expected = heapy.stdout
        .split('\n')
        .filter((line) => !line.startsWith('Could not parse '))
        .join('\n');
      const result = await diffCase(name, { heapy: true });
      expect(renderHeapyLines(result, selectGroups(result.groups, { order: 'heapy', filters: [], excludes: [], top: null }).shown)).toBe(expected);
    });
  },
);
