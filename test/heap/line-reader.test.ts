import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LineSource, readLines } from '../../src/heap/line-reader.js';
import { planRanges } from '../../src/heap/ranges.js';
import { tempDir } from '../helpers/fixtures.js';

interface SeenLine {
  text: string;
  unterminated: boolean;
  offset: number;
  lineNumber: number;
}

async function collect(source: LineSource): Promise<{ lines: SeenLine[]; outcome: Awaited<ReturnType<typeof readLines>>; progress: number }> {
  const lines: SeenLine[] = [];
  let progress = 0;
  const outcome = await readLines(
    source,
    {
      line(bytes, start, end, unterminated, offset, lineNumber) {
        lines.push({ text: bytes.toString('utf8', start, end), unterminated, offset, lineNumber });
      },
    },
    (bytes) => {
      progress += bytes;
    },
  );
  return { lines, outcome, progress };
}

function plain(file: string, start = 0, end = statSync(file).size, stripBom = true): LineSource {
  return { path: file, label: path.basename(file), gzip: false, start, end, stripBom };
}

let dir: string;
beforeAll(() => {
  dir = tempDir('gemleak-heap-reader-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readLines', () => {
  it('hands out each line without its newline, with offsets and line numbers', async () => {
    const file = path.join(dir, 'simple.ndjson');
    writeFileSync(file, 'one\ntwo\n\nfour\n');
    const { lines, outcome, progress } = await collect(plain(file));
    expect(lines.map((line) => line.text)).toEqual(['one', 'two', '', 'four']);
    expect(lines.map((line) => line.offset)).toEqual([0, 4, 8, 9]);
    expect(lines.map((line) => line.lineNumber)).toEqual([1, 2, 3, 4]);
    expect(lines.every((line) => !line.unterminated)).toBe(true);
    expect(outcome.lines).toBe(4);
    expect(progress).toBe(14);
  });

  it('marks a last line without a newline as unterminated', async () => {
    const file = path.join(dir, 'cut.ndjson');
    writeFileSync(file, '{"a":1}\n{"b":');
    const { lines } = await collect(plain(file));
    expect(lines.at(-1)).toEqual({ text: '{"b":', unterminated: true, offset: 8, lineNumber: 2 });
  });

  it('strips a UTF-8 byte-order mark at the start when asked, and only then', async () => {
    const file = path.join(dir, 'bom.ndjson');
    writeFileSync(file, '\u{feff}{"type":"ROOT"}\n{}\n');
    const stripped = await collect(plain(file));
    expect(stripped.lines[0]?.text).toBe('{"type":"ROOT"}');
    expect(stripped.outcome.bomStripped).toBe(true);
    const kept = await collect(plain(file, 0, statSync(file).size, false));
    expect(kept.lines[0]?.text).toBe('\u{feff}{"type":"ROOT"}');
    expect(kept.outcome.bomStripped).toBe(false);
  });

  it('keeps a CR at the end of the line for the parser to ignore', async () => {
    const file = path.join(dir, 'crlf.ndjson');
    writeFileSync(file, 'a\r\nb\r\n');
    expect((await collect(plain(file))).lines.map((line) => line.text)).toEqual(['a\r', 'b\r']);
  });

  it('reads lines far longer than its buffer', async () => {
    const file = path.join(dir, 'long.ndjson');
    const long = 'x'.repeat(9 * 1024 * 1024 + 17);
    writeFileSync(file, `short\n${long}\nend\n`);
    const { lines } = await collect(plain(file));
    expect(lines.map((line) => line.text.length)).toEqual([5, long.length, 3]);
  });

  it('reads gzip, whatever the file is called', async () => {
    const file = path.join(dir, 'dump.json');
    writeFileSync(file, gzipSync('one\ntwo\nthree'));
    const { lines } = await collect({ path: file, label: 'dump.json', gzip: true, start: 0, end: Number.POSITIVE_INFINITY, stripBom: true });
    expect(lines.map((line) => [line.text, line.unterminated])).toEqual([
      ['one', false],
      ['two', false],
      ['three', true],
    ]);
  });

  it('fails with one line naming the file when gzip data is cut short', async () => {
    const file = path.join(dir, 'cut.json.gz');
    const whole = gzipSync('x'.repeat(100_000));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(collect({ path: file, label: 'cut.json.gz', gzip: true, start: 0, end: Number.POSITIVE_INFINITY, stripBom: true })).rejects.toMatchObject({
      code: 'HEAP_BAD_GZIP',
      file: 'cut.json.gz',
    });
  });
});

describe('readLines over byte ranges', () => {
  it('gives every line to exactly one range, wherever the ranges are cut', async () => {
    const file = path.join(dir, 'ranges.ndjson');
    const all = Array.from({ length: 40 }, (_, i) => `line-${i}-${'y'.repeat(i % 7)}`);
    const text = `${all.join('\n')}\n`;
    writeFileSync(file, text);
    for (let cut = 1; cut < text.length; cut += 1) {
      const first = await collect(plain(file, 0, cut));
      const second = await collect(plain(file, cut, text.length, false));
      const seen = [...first.lines, ...second.lines].map((line) => line.text);
      expect(seen).toEqual(all);
      const offsets = [...first.lines, ...second.lines].map((line) => line.offset);
      expect(offsets).toEqual(all.map((_, i) => text.split('\n').slice(0, i).join('\n').length + (i === 0 ? 0 : 1)));
    }
  });

  it('plans one range per thread for big plain dumps, one for gzip', () => {
    const big = { path: '/x', label: 'x', size: 100 * 1024 * 1024, gzip: false };
    const ranges = planRanges(big, 3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]?.start).toBe(0);
    expect(ranges.at(-1)?.end).toBe(big.size);
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
    expect(ranges.map((range) => range.stripBom)).toEqual([true, false, false]);
    expect(planRanges({ ...big, gzip: true }, 3)).toHaveLength(1);
    expect(planRanges({ ...big, size: 1000 }, 3)).toHaveLength(1);
  });
});
