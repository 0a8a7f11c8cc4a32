import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffHeapDumps } from '../../src/heap/diff.js';
import { MAX_LINE_BYTES, readLines } from '../../src/heap/line-reader.js';
import { gemleakBin, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { dumpText, objectLine, slot, writeDump } from './dumps.js';

/**
 * Hostile heap input (issue 11) and the rough edges of the heap text (issue 13): lines too long to
 * hold, repeated lines, files that are not dumps, control characters in names, sizes for people.
 */

let dir: string;
beforeAll(() => {
  dir = tempDir('gemleak-heap-robust-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Peak RSS (MiB) of the CLI run, through /usr/bin/time. */
function peakMiB(args: string[]): { mib: number; status: number | null; stderr: string } {
  const result = spawnSync(timeTool as string, ['-f', 'peak-kib %M', process.execPath, gemleakBin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  const kib = Number(/peak-kib (\d+)/.exec(result.stderr)?.[1]);
  return { mib: kib / 1024, status: result.status, stderr: result.stderr };
}

/** Writes `head`, then `size` bytes of `x` with no newline, then `tail`, streamed (never in memory at once). */
async function writeLongLine(file: string, head: string, size: number, tail: string, gzip = false): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  async function* parts() {
    yield Buffer.from(head);
    for (let left = size; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    yield Buffer.from(tail);
  }
  if (gzip) await pipeline(Readable.from(parts()), createGzip({ level: 1 }), createWriteStream(file));
  else await pipeline(Readable.from(parts()), createWriteStream(file));
}

const objects = (from: number, count: number, line: number) => Array.from({ length: count }, (_, i) => ({ address: slot(from + i), type: 'STRING', file: '/srv/app/a.rb', line, memsize: 40 }));

describe('lines longer than the cap are counted, skipped and warned about', () => {
  it('readLines hands out the lines around an over-long line and reports it (small cap)', async () => {
    const file = path.join(dir, 'long-small.ndjson');
    await writeLongLine(file, 'first\n', 3 * 1024 * 1024, '\nlast\n');
    const seen: string[] = [];
    const long: number[] = [];
    const outcome = await readLines(
      { path: file, label: 'long', gzip: false, start: 0, end: statSync(file).size, stripBom: true, maxLineBytes: 1024 * 1024 },
      {
        line(bytes, start, end, _unterminated, _offset, lineNumber) {
          seen.push(`${lineNumber}:${bytes.toString('utf8', start, end)}`);
        },
        longLine(lineNumber) {
          long.push(lineNumber);
        },
      },
      () => {},
    );
    expect(seen).toEqual(['1:first', '3:last']);
    expect(long).toEqual([2]);
    expect(outcome.lines).toBe(3);
  });

  it.skipIf(timeTool === null)(
    `a real over-cap line (${MAX_LINE_BYTES / 2 ** 20} MiB + 1) in B is skipped with a warning, in bounded memory${timeTool === null ? ' (skipped: no /usr/bin/time)' : ''}`,
    async () => {
      const A = writeDump(dir, 'cap-A.ndjson', dumpText(objects(0, 3, 1)));
      const C = writeDump(dir, 'cap-C.ndjson', dumpText([...objects(0, 3, 1), ...objects(10, 2, 2)]));
      const B = path.join(dir, 'cap-B.ndjson');
      await writeLongLine(B, `${dumpText([...objects(0, 3, 1), ...objects(10, 2, 2)])}{"address":"${slot(50)}", "type":"STRING", "value":"`, MAX_LINE_BYTES + 1, '"}\n');
      const run = peakMiB(['heap', 'diff', A, B, C, '--format', 'json']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/cap-B\.ndjson: 1 line is longer than 64 MiB, skipped unread \(objects on them are not counted\): line \d+/);
      expect(run.mib).toBeLessThan(250);
    },
  );

  it.skipIf(timeTool === null)(
    `a gzip bomb inflating to one 1 GiB line is refused in bounded memory${timeTool === null ? ' (skipped: no /usr/bin/time)' : ''}`,
    async () => {
      const bomb = path.join(dir, 'bomb.ndjson.gz');
      await writeLongLine(bomb, '', 1024 * 1024 * 1024, '', true);
      const run = peakMiB(['heap', 'summary', bomb]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/bomb\.ndjson\.gz: no line is a JSON object \(1 line read, 1 of them longer than 64 MiB and skipped\)/);
      expect(run.mib).toBeLessThan(250);
    },
    120_000,
  );
});

describe('the same object line twice', () => {
  it('is one object, with a warning naming the repeated line', async () => {
    const line = objectLine({ address: slot(20), type: 'STRING', file: '/srv/app/a.rb', line: 7, memsize: 40 });
    const A = writeDump(dir, 'dup-A.ndjson', dumpText(objects(0, 2, 1)));
    const B = writeDump(dir, 'dup-B.ndjson', dumpText(objects(0, 2, 1), [line, line]));
    const C = writeDump(dir, 'dup-C.ndjson', dumpText(objects(0, 2, 1), [line, line]));
    const result = await diffHeapDumps({ before: { path: A, label: 'A' }, after: { path: B, label: 'B' }, retained: { path: C, label: 'C' } });
    expect(result.groups).toMatchObject([{ line: '7', count: 1 }]);
    expect(result.dumps.map((dump) => dump.stats.objects)).toEqual([2, 3, 3]);
    const duplicates = result.warnings.filter((warning) => warning.code === 'HEAP_DUPLICATE_LINES');
    expect(duplicates.map((warning) => warning.file)).toEqual(['B', 'C']);
    expect(duplicates[0]?.message).toBe('1 object line repeats an object already read (same address and allocation record); each object is counted once: line 6');
  });
});

describe('heap text for people (issue 13)', () => {
  it('a README as A is an error like an empty A, not the whole heap of B', () => {
    const B = writeDump(dir, 'readme-B.ndjson', dumpText(objects(0, 2, 1)));
    const readme = writeDump(dir, 'README.md', '# Title\n\nSome text.\n\n```json\n{"a": 1}\n```\n');
    const run = runCli(['heap', 'diff', readme, B, B]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/README\.md: no heap object and no ROOT record \(7 lines read\): not an ObjectSpace\.dump_all file\n$/);
    expect(run.stdout).toBe('');
  });

  it('one line read is "1 line read"', () => {
    const one = writeDump(dir, 'one-line.txt', 'hello\n');
    const run = runCli(['heap', 'summary', one]);
    expect(run.stderr).toMatch(/one-line\.txt: no line is a JSON object \(1 line read\)/);
  });

  it('--top 0 is refused with what to use instead', () => {
    const A = writeDump(dir, 'top-A.ndjson', dumpText(objects(0, 2, 1)));
    const run = runCli(['heap', 'diff', A, A, A, '--top', '0']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--top 0 would show nothing: give 1 or more \(--all shows everything/);
  });

  it('sizes show KiB/MiB beside the bytes in text, bytes alone in JSON', () => {
    const A = writeDump(dir, 'size-A.ndjson', dumpText(objects(0, 1, 1)));
    const big = Array.from({ length: 3 }, (_, i) => ({ address: slot(30 + i), type: 'STRING', file: '/srv/app/b.rb', line: 3, memsize: 700_000 }));
    const B = writeDump(dir, 'size-B.ndjson', dumpText([...objects(0, 1, 1), ...big]));
    const text = runCli(['heap', 'diff', A, B, B]);
    expect(text.stdout).toMatch(/^Retained STRING 3 objects of size 2100000 bytes \(2\.0 MiB\) at: \/srv\/app\/b\.rb:3$/m);
    const json = JSON.parse(runCli(['heap', 'diff', A, B, B, '--format', 'json']).stdout);
    expect(json.groups[0].memsize).toBe(2100000);
  });

  it('a TAB or an escape character in a file name is shown escaped', () => {
    const A = writeDump(dir, 'ctl-A.ndjson', dumpText(objects(0, 1, 1)));
    const hostile = [{ address: slot(40), type: 'STRING', file: 'gen\tcode\u001b[2J.rb', line: 3, memsize: 40 }];
    const B = writeDump(dir, 'ctl\tB.ndjson', dumpText([...objects(0, 1, 1), ...hostile]));
    const run = runCli(['heap', 'diff', A, B, B]);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(run.stdout).toContain('at: gen\\tcode\\x1b[2J.rb:3');
    expect(run.stdout).toContain('ctl\\tB.ndjson');
  });

  it('only VM bookkeeping retained: "no growth between these dumps"', () => {
    const A = writeDump(dir, 'vm-A.ndjson', dumpText(objects(0, 1, 1)));
    const B = writeDump(dir, 'vm-B.ndjson', dumpText([...objects(0, 1, 1), { address: slot(60), type: 'IMEMO', file: '/srv/app/a.rb', line: 9, memsize: 40 }]));
    const run = runCli(['heap', 'diff', A, B, B]);
    expect(run.stdout).toContain('No growth between these dumps: only Ruby VM bookkeeping (inline caches) was retained');
  });
});

describe('--output-retained', () => {
  it('writes the raw lines of the retained objects, in B order, also when B is read in ranges', async () => {
    const A = writeDump(dir, 'out-A.ndjson', dumpText(objects(0, 2, 1)));
    const kept = objects(100, 15000, 4);
    const gone = objects(20000, 15000, 5);
    const B = writeDump(dir, 'out-B.ndjson', dumpText([...objects(0, 2, 1), ...kept, ...gone]));
    const C = writeDump(dir, 'out-C.ndjson', dumpText([...objects(0, 2, 1), ...kept]));
    for (const workers of [0, 3]) {
      const out = path.join(dir, `kept-${workers}.ndjson`);
      await diffHeapDumps({ before: { path: A, label: 'A' }, after: { path: B, label: 'B' }, retained: { path: C, label: 'C' }, outputRetained: out, workers });
      expect(readFileSync(out, 'utf8')).toBe(`${kept.map(objectLine).join('\n')}\n`);
      expect(existsSync(`${out}.part0`)).toBe(false);
    }
    const cli = runCli(['heap', 'diff', A, B, C, '--output-retained', path.join(dir, 'kept-cli.ndjson'), '--format', 'json']);
    expect(cli.status).toBe(0);
    expect(readFileSync(path.join(dir, 'kept-cli.ndjson'), 'utf8').split('\n')).toHaveLength(15001);
    expect(JSON.parse(cli.stdout).groups[0].sample_addresses).toEqual(kept.slice(0, 5).map((object) => object.address));
  });
});

describe('heap grow and compaction', () => {
  it('warns when most containers of the first dump are no longer at their address (GC.compact)', async () => {
    const arrays = (from: number, length: number) => Array.from({ length: 150 }, (_, i) => ({ address: slot(from + i), type: 'ARRAY', middle: `"length":${length}`, memsize: 40 }));
    const files = [arrays(0, 1), arrays(1000, 2), arrays(1000, 3)].map((objects, index) => writeDump(dir, `moved-${index}.ndjson`, dumpText(objects)));
    const { findGrowingContainers } = await import('../../src/heap/grow.js');
    const result = await findGrowingContainers({ dumps: files.map((file, index) => ({ path: file, label: `D${index + 1}` })) });
    expect(result.warnings.map((warning) => `${warning.code} ${warning.file}`)).toContain('HEAP_ADDRESSES_MOVED D2');
    // Moved containers cannot be followed from the first dump: nothing is reported as growing.
    expect(result.growing).toBe(0);
    const stable = [arrays(0, 1), arrays(0, 2), arrays(0, 3)].map((objects, index) => writeDump(dir, `stable-${index}.ndjson`, dumpText(objects)));
    const grown = await findGrowingContainers({ dumps: stable.map((file, index) => ({ path: file, label: `S${index + 1}` })) });
    expect(grown.warnings.map((warning) => warning.code)).not.toContain('HEAP_ADDRESSES_MOVED');
    expect(grown.growing).toBe(150);
    expect(grown.containers[0]).toMatchObject({ type: 'ARRAY', measure: 'length', first: 1, last: 3, root: null });
  });
});
