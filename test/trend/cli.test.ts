import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'trend');
const fixture = (name: string) => path.join(fixtures, name);
const scratch = mkdtempSync(path.join(tmpdir(), 'gemleak-trend-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

/** A steady leak as a ps column: 40 lines of KiB. */
const leakColumn = Array.from({ length: 40 }, (_, i) => String(200_000 + i * 3000)).join('\n');
const flatColumn = Array.from({ length: 40 }, (_, i) => String(200_000 + (i % 3) * 100)).join('\n');

describe('gemleak trend: reading files', () => {
  it('judges a leak in a ps column despite garbage lines, and names the first bad line on stderr', () => {
    const run = runCli(['trend', fixture('garbage.ps.txt')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^gemleak trend: LEAK/);
    expect(run.stderr).toMatch(/garbage\.ps\.txt:7: skipped 2 lines that are not a ps-column sample \(the first here\); 40 read/);
    expect(run.stdout).toMatch(/KiB\/sample/);
  });

  it('reads mixed MB and GB values of a Heroku log and defaults the limit to its quota', () => {
    const run = runCli(['trend', fixture('mixed-units.heroku.log'), '--format', 'json']);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.verdict).toBe('LEAK');
    expect(json.series[0].key).toBe('web.1');
    expect(json.series[0].quota_mib).toBe(2048);
    expect(json.series[0].max_mib).toBeCloseTo(1136, 0);
    // 4 MiB every 20 s = 720 MiB/h.
    expect(json.series[0].slope_mib_per_hour).toBeCloseTo(720, -1);
    expect(json.series[0].time_to_limit_hours).toBeGreaterThan(1);
  });

  it('sorts out-of-order timestamps and warns', () => {
    const run = runCli(['trend', fixture('out-of-order.csv')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/NO_GROWTH/);
    expect(run.stderr).toMatch(/2 samples were out of time order; sorted by time/);
  });

  it('uses a requests key for MiB per 1,000 requests and GC.stat for the growth source', () => {
    const json = JSON.parse(runCli(['trend', fixture('objects-leak.gcstat.jsonl'), '--format', 'json']).stdout);
    expect(json.verdict).toBe('LEAK');
    expect(json.series[0].growth_source).toBe('ruby_objects');
    // 700 KiB per 100 requests.
    expect(json.series[0].slope_mib_per_1000_requests).toBeCloseTo((700 / 1024) * 10, 2);
  });

  it('one sample is TOO_SHORT, with how many it needs', () => {
    const run = runCli(['trend', fixture('one-sample.derailed.txt')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/TOO_SHORT/);
    expect(run.stdout).toMatch(/at least 8/);
  });

  it('--requests N gives MiB per 1,000 requests; --interval gives a ps column times', () => {
    const file = write('leak.txt', leakColumn);
    const json = JSON.parse(runCli(['trend', file, '--requests', '40000', '--interval', '10s', '--format', 'json']).stdout);
    expect(json.series[0].time_unit).toBe('seconds');
    expect(json.series[0].slope_mib_per_1000_requests).toBeCloseTo(3000 / 1024 / 1, 3);
    expect(json.series[0].slope_mib_per_hour).toBeCloseTo((3000 / 1024) * 360, 1);
  });

  it('--input forces a format', () => {
    const file = write('numbers.txt', leakColumn);
    const json = JSON.parse(runCli(['trend', file, '--input', 'derailed', '--format', 'json']).stdout);
    expect(json.series[0].format).toBe('derailed');
    expect(json.series[0].first_mib).toBe(200_000);
  });

  it('takes the worst of several files and lists each', () => {
    const run = runCli(['trend', write('a-flat.txt', flatColumn), write('b-leak.txt', leakColumn), '--format', 'json']);
    const json = JSON.parse(run.stdout);
    expect(json.verdict).toBe('LEAK');
    expect(json.worst_series).toMatch(/b-leak\.txt$/);
    expect(json.series.map((one: { verdict: string }) => one.verdict)).toEqual(['NO_GROWTH', 'LEAK']);
  });
});

describe('gemleak trend: exit codes', () => {
  it.each([
    [['--fail-on', 'leak'], leakColumn, 1],
    [['--fail-on', 'leak'], flatColumn, 0],
    [['--fail-on', 'plateau,restarts'], leakColumn, 0],
    [['--fail-on', 'any'], leakColumn, 1],
    [[], leakColumn, 0],
  ])('%j on a series → exit %#', (flags, text, status) => {
    const run = runCli(['trend', write(`exit-${flags.join('')}-${status}.txt`, text), ...flags]);
    expect(run.status).toBe(status);
  });

  it('--fail-on leak fails on a leaking life between restarts', () => {
    const lives = [...Array.from({ length: 30 }, (_, i) => 100_000 + i * 5000), ...Array.from({ length: 30 }, (_, i) => 100_000 + i * 5000)].join('\n');
    const run = runCli(['trend', write('lives.txt', lives), '--fail-on', 'leak']);
    expect(run.stdout).toMatch(/RESTARTS/);
    expect(run.status).toBe(1);
  });
});

describe('gemleak trend: bad input is one line and exit 2', () => {
  const fifo = path.join(scratch, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const binary = write('binary.bin', 'abc\u0000def');
  const badJson = write('bad.prom.json', '{"status":"success","data":{"resultType":"matrix",');
  const noMemory = write('no-memory.csv', 'timestamp,cpu\n1,2\n');
  const allBad = write('all-bad.jsonl', '{"t":1}\n{"t":2}\n');
  it.each<[string, string[], RegExp]>([
    ['a missing file', ['trend', 'nope.txt'], /^gemleak: nope\.txt: no such file$/],
    ['a directory', ['trend', scratch], /is a directory/],
    ['a FIFO (never hangs)', ['trend', fifo], /is not a regular file/],
    ['an empty file', ['trend', fixture('empty.txt')], /empty\.txt: is empty/],
    ['a binary file', ['trend', binary], /binary\.bin: is a binary file/],
    ['prose', ['trend', fixture('only-garbage.txt')], /only-garbage\.txt: not a format gemleak trend reads/],
    ['broken Prometheus JSON', ['trend', badJson], /bad\.prom\.json: not valid JSON/],
    ['a CSV without a memory column', ['trend', noMemory], /no-memory\.csv:1: no memory column/],
    ['no line is a sample', ['trend', allBad], /all-bad\.jsonl:1: no memory samples found \(read as gcstat-jsonl; 2 unreadable lines, the first here\)/],
    ['no file at all', ['trend'], /give a file of memory samples/],
    ['a bad --interval', ['trend', fixture('garbage.ps.txt'), '--interval', 'soon'], /--interval takes a duration/],
    ['a bad --limit', ['trend', fixture('garbage.ps.txt'), '--limit', 'lots'], /--limit takes a size/],
    ['a bad --fail-on', ['trend', fixture('garbage.ps.txt'), '--fail-on', 'oops'], /--fail-on takes leak, restarts, plateau, any/],
    ['a bad --input', ['trend', fixture('garbage.ps.txt'), '--input', 'xml'], /argument 'xml' is invalid/],
    ['--save without --pid', ['trend', fixture('garbage.ps.txt'), '--save', 'x.csv'], /--save works only with --pid/],
    ['files and --pid', ['trend', fixture('garbage.ps.txt'), '--pid', '1'], /either files or --pid/],
    ['a process that does not exist', ['trend', '--pid', '999999999'], /no running process 999999999/],
  ])('%s', (_name, args, message) => {
    const run = runCli(args, { cwd: scratch });
    expect(run.status).toBe(2);
    const first = run.stderr.split('\n')[0]!;
    expect(first).toMatch(message);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(run.stdout).toBe('');
  });
});

describe('gemleak trend: output', () => {
  it('has --help with examples and exit codes', () => {
    const run = runCli(['trend', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Examples:/);
    expect(run.stdout).toMatch(/Exit codes: 0 .* 1 .* 2 /);
  });

  it('draws an ASCII chart without colour off a terminal, Unicode with a UTF-8 locale', () => {
    const file = write('chart.txt', leakColumn);
    const ascii = runCli(['trend', file]);
    expect(ascii.stdout).not.toMatch(/\u001b\[/);
    expect(ascii.stdout).toMatch(/^\s+\S+ MiB \+/m);
    expect(ascii.stdout).toMatch(/\*/);
    expect(ascii.stdout).not.toMatch(/[•─┆]/);
    const unicode = runCli(['trend', file], { env: { LANG: 'en_US.UTF-8' } });
    expect(unicode.stdout).toMatch(/•/);
    expect(unicode.stdout).toMatch(/─/);
    const forced = runCli(['trend', file, '--ascii'], { env: { LANG: 'en_US.UTF-8', NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).not.toMatch(/•/);
    expect(forced.stdout).toMatch(/\u001b\[/);
    expect(runCli(['trend', file, '--no-chart']).stdout).not.toMatch(/fitted/);
  });

  it('ends every verdict with its next step', () => {
    expect(runCli(['trend', write('next-leak.txt', leakColumn)]).stdout).toMatch(/gemleak check[\s\S]*gemleak heap diff/);
    const plateau = Array.from({ length: 60 }, (_, i) => String(Math.round(200_000 + 80_000 * (1 - Math.exp(-i / 5))))).join('\n');
    expect(runCli(['trend', write('next-plateau.txt', plateau)]).stdout).toMatch(/PLATEAU[\s\S]*This is your working set/);
  });

  it('escapes control characters from the input in the report', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `2026-01-01T00:00:${String(i * 5).padStart(2, '0')}Z heroku[web.1]: source=web\u001b[31m.1 sample#memory_total=${100 + i}MB`);
    const run = runCli(['trend', write('evil.log', lines.join('\n'))]);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/\u001b/);
    expect(run.stdout).toMatch(/web\?\[31m\.1/);
  });

  it('writes SVG with the series path, the fitted line and the warm-up marker, escaped', () => {
    const plateau = Array.from({ length: 60 }, (_, i) => String(Math.round(200_000 + 80_000 * (1 - Math.exp(-i / 5)) + 3000 * (i / 60)))).join('\n');
    const out = path.join(scratch, 'chart.svg');
    const run = runCli(['trend', write('<chart>&.txt', plateau), '--format', 'svg', '--output', out]);
    expect(run.status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toMatch(/<path class="series" d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){59}"/);
    expect(svg).toMatch(/<path class="fit"/);
    expect(svg).toMatch(/<line class="warmup"/);
    expect(svg).toContain('&lt;chart&gt;&amp;.txt');
    expect(svg).not.toMatch(/<chart>/);
  });

  it('writes a self-contained HTML page: no scripts, nothing fetched', () => {
    const out = path.join(scratch, 'page.html');
    runCli(['trend', write('page.txt', leakColumn), '--format', 'html', '--output', out]);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html).not.toMatch(/<script|<link|src="http|url\(/i);
    expect(html).toMatch(/<h1 id="verdict">gemleak trend: <span[^>]*>LEAK</);
  });
});

describe('gemleak trend: big single-line Prometheus documents', () => {
  it('reads a 5 MB one-line range query (long lines are garbage only in line formats)', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => [1_795_168_800 + i * 15, String(300 * 1024 * 1024 + i * 2048)]);
    const doc = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { __name__: 'process_resident_memory_bytes', pid: '1' }, values },
          { metric: { __name__: 'process_resident_memory_bytes', pid: '2' }, values: values.map(([t]) => [t, String(300 * 1024 * 1024)]) },
        ],
      },
    };
    const file = write('big.prom.json', JSON.stringify(doc));
    expect(readFileSync(file).length).toBeGreaterThan(4_000_000);
    const json = JSON.parse(runCli(['trend', file, '--format', 'json']).stdout);
    expect(json.series.map((one: { key: string; verdict: string; samples: number }) => [one.key, one.verdict, one.samples])).toEqual([
      ['process_resident_memory_bytes{pid="1"}', 'LEAK', 100_000],
      ['process_resident_memory_bytes{pid="2"}', 'NO_GROWTH', 100_000],
    ]);
  });
});
