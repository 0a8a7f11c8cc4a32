import { describe, expect, it } from 'vitest';
import { createParser, detectFormat } from '../../src/trend/formats.js';
import type { TrendFormat } from '../../src/trend/types.js';
import { parseDuration, parseSize } from '../../src/trend/units.js';

/** Feeds text to a format's parser line by line, as the reader does, and returns the series and each line's outcome. */
function parse(format: TrendFormat, text: string, settings: { intervalS?: number; unitBytes?: number } = {}) {
  const parser = createParser(format, { file: 'input', intervalS: settings.intervalS ?? null, unitBytes: settings.unitBytes ?? null });
  const outcomes = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => parser.line(line, i + 1));
  return { series: parser.finish(), outcomes, notes: parser.notes };
}

const heroku = (t: string, dyno: string, id: string, total: string) =>
  `${t} heroku[${dyno}]: source=${dyno} dyno=${id} sample#memory_total=${total} sample#memory_rss=1.00MB sample#memory_quota=512.00MB`;

describe('detectFormat', () => {
  it.each<[string, string, TrendFormat | null]>([
    ['derailed file', '150.5\n151.25\n', 'derailed'],
    ['derailed STDOUT', 'PID: 4242\n150\n151\n', 'derailed'],
    ['ps column', '34544\n57120\n', 'ps-column'],
    ['csv with header', 'timestamp,rss_kb\n1,2\n', 'csv'],
    ['csv without header', '1795168800,125702\n', 'csv'],
    ['GC.stat line', '{"count":1,"rss":100}\n', 'gcstat-jsonl'],
    ['Prometheus one line', '{"status":"success","data":{"resultType":"matrix","result":[]}}', 'prometheus-json'],
    ['Prometheus pretty', '{\n  "status": "success",\n  "data": {\n', 'prometheus-json'],
    ['Heroku after router lines', `2026-01-01T00:00:00Z heroku[router]: at=info\n${heroku('2026-01-01T00:00:01Z', 'web.1', 'x', '1MB')}`, 'heroku-log'],
    ['prose', 'hello world\n', null],
    ['nothing', '\n\n', null],
  ])('%s', (_name, head, format) => {
    expect(detectFormat(head)).toBe(format);
  });
});

describe('parsers', () => {
  it.each<[string, TrendFormat, string, { intervalS?: number; unitBytes?: number }, { mib: number[]; x: number[]; unit: string }]>([
    ['derailed floats are MiB, 5 s apart', 'derailed', 'PID: 1\n100.5\n101\n', {}, { mib: [100.5, 101], x: [0, 5], unit: 'seconds' }],
    ['derailed with --interval', 'derailed', '100\n101\n', { intervalS: 2 }, { mib: [100, 101], x: [0, 2], unit: 'seconds' }],
    ['ps column is KiB, one per line', 'ps-column', '1024\n2048\n', {}, { mib: [1, 2], x: [0, 1], unit: 'samples' }],
    ['ps column with --unit MiB', 'ps-column', '3\n4\n', { unitBytes: 1024 ** 2 }, { mib: [3, 4], x: [0, 1], unit: 'samples' }],
    ['mixed units in a column', 'ps-column', '1024\n2 MB\n0.5GiB\n1048576B\n', {}, { mib: [1, 2, 512, 1], x: [0, 1, 2, 3], unit: 'samples' }],
    ['csv rss_kb', 'csv', 'timestamp,rss_kb\n100,1024\n110,2048\n', {}, { mib: [1, 2], x: [0, 10], unit: 'seconds' }],
    ['csv rss_mb, ISO times', 'csv', 'time,rss_mb\n2026-01-01T00:00:00Z,10\n2026-01-01T00:01:00Z,12\n', {}, { mib: [10, 12], x: [0, 60], unit: 'seconds' }],
    ['csv rss_bytes, ms epoch', 'csv', 'ts,rss_bytes\n1795168800000,1048576\n1795168801000,2097152\n', {}, { mib: [1, 2], x: [0, 1], unit: 'seconds' }],
    ['csv quoted header, semicolons', 'csv', '"timestamp";"rss (MB)"\n1;5\n2;6\n', {}, { mib: [5, 6], x: [0, 1], unit: 'seconds' }],
    ['GC.stat rss is bytes', 'gcstat-jsonl', '{"t":10,"rss":1048576}\n{"t":12,"rss":2097152}\n', {}, { mib: [1, 2], x: [0, 2], unit: 'seconds' }],
    ['GC.stat rss_kb is KiB', 'gcstat-jsonl', '{"t":10,"rss_kb":1024}\n{"t":12,"rss_kb":2048}\n', {}, { mib: [1, 2], x: [0, 2], unit: 'seconds' }],
    [
      'Heroku MB and GB',
      'heroku-log',
      `${heroku('2026-01-01T00:00:00Z', 'web.1', 'a', '1000.00MB')}\n${heroku('2026-01-01T00:00:20Z', 'web.1', 'a', '1.00GB')}\n`,
      {},
      { mib: [1000, 1024], x: [0, 20], unit: 'seconds' },
    ],
    [
      'Prometheus bytes',
      'prometheus-json',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"m_bytes"},"values":[[100,"1048576"],[160,"3145728"]]}]}}',
      {},
      { mib: [1, 3], x: [0, 60], unit: 'seconds' },
    ],
  ])('%s', (_name, format, text, settings, expected) => {
    const { series } = parse(format, text, settings);
    expect(series).toHaveLength(1);
    expect(Array.from(series[0]!.mib)).toEqual(expected.mib);
    expect(Array.from(series[0]!.x)).toEqual(expected.x);
    expect(series[0]!.timeUnit).toBe(expected.unit);
  });

  it.each<[string, TrendFormat, string]>([
    ['a word in a column', 'ps-column', 'abc'],
    ['a negative size', 'ps-column', '-5'],
    ['an unknown unit', 'derailed', '12 parsecs'],
    ['a truncated GC.stat line', 'gcstat-jsonl', '{"t":1,"rss":10'],
    ['GC.stat without memory', 'gcstat-jsonl', '{"t":1,"count":3}'],
    ['a JSON array line', 'gcstat-jsonl', '[1,2]'],
    ['a CSV row with a bad time', 'csv', 'yesterday,100'],
  ])('garbage: %s is a bad line', (_name, format, line) => {
    const header = format === 'csv' ? 'timestamp,rss_kb\n' : '';
    const { outcomes } = parse(format, `${header}${line}\n`);
    expect(outcomes[outcomes.length - 1]).toBe('bad');
  });

  it('skips Heroku lines that are not memory samples', () => {
    const { outcomes, series } = parse(
      'heroku-log',
      `2026-01-01T00:00:00Z heroku[router]: at=info\n2026-01-01T00:00:01Z heroku[web.1]: source=web.1 sample#load_avg_1m=0.5\n${heroku('2026-01-01T00:00:02Z', 'web.1', 'a', '5MB')}\n`,
    );
    expect(outcomes).toEqual(['skipped', 'skipped', 'sample']);
    expect(series).toHaveLength(1);
    expect(series[0]!.quotaMiB).toBe(512);
  });

  it('makes one series per dyno and a restart where the dyno id changes', () => {
    const lines = [
      heroku('2026-01-01T00:00:00Z', 'web.1', 'a', '5MB'),
      heroku('2026-01-01T00:00:00Z', 'web.2', 'b', '6MB'),
      heroku('2026-01-01T00:00:20Z', 'web.1', 'a', '5MB'),
      heroku('2026-01-01T00:00:40Z', 'web.1', 'c', '5MB'),
    ];
    const { series } = parse('heroku-log', lines.join('\n'));
    expect(series.map((one) => [one.key, one.mib.length])).toEqual([
      ['web.1', 3],
      ['web.2', 1],
    ]);
    expect(series[0]!.identityBreaks).toEqual([2]);
  });

  it('finds a restart where GC counters go backwards', () => {
    const { series } = parse('gcstat-jsonl', ['{"t":1,"rss":1,"count":5}', '{"t":2,"rss":1,"count":6}', '{"t":3,"rss":1,"count":1}'].join('\n'));
    expect(series[0]!.identityBreaks).toEqual([2]);
  });

  it('sorts samples that are out of time order and counts them', () => {
    const { series } = parse('csv', 'timestamp,rss_kb\n30,3072\n10,1024\n20,2048\n40,4096\n');
    expect(Array.from(series[0]!.mib)).toEqual([1, 2, 3, 4]);
    expect(Array.from(series[0]!.x)).toEqual([0, 10, 20, 30]);
    expect(series[0]!.outOfOrder).toBe(2);
  });

  it('says when a unit is assumed', () => {
    expect(parse('csv', 'timestamp,rss\n1,100\n').notes.join()).toMatch(/does not name its unit: read as KiB/);
    expect(parse('csv', 'timestamp,rss\n1,100\n', { unitBytes: 1 }).notes).toEqual([]);
  });

  it('names Prometheus series by pid when it alone tells them apart', () => {
    const doc = { data: { resultType: 'matrix', result: [1, 2].map((w) => ({ metric: { __name__: 'ruby_rss', pid: String(100 + w), worker: String(w), job: 'puma' }, values: [[1, '1']] })) } };
    const { series } = parse('prometheus-json', JSON.stringify(doc));
    expect(series.map((one) => one.key)).toEqual(['ruby_rss{pid="101"}', 'ruby_rss{pid="102"}']);
  });

  it('refuses more series than a recording has (a memory bomb of distinct dynos)', () => {
    const lines = Array.from({ length: 1001 }, (_, i) => heroku('2026-01-01T00:00:00Z', `web.${i}`, 'a', '5MB'));
    expect(() => parse('heroku-log', lines.join('\n'))).toThrow(/more than 1000 series/);
  });

  it.each([
    ['not JSON', '{"data": [', /not valid JSON/],
    ['no result', '{"data": {}}', /no data.result/],
    ['an instant vector', '{"data":{"resultType":"vector","result":[]}}', /range query/],
  ])('a bad Prometheus document: %s', (_name, text, message) => {
    expect(() => parse('prometheus-json', text)).toThrow(message);
  });
});

describe('units', () => {
  it.each<[string, number, number | null]>([
    ['512MiB', 1, 512 * 1024 ** 2],
    ['1.5 GB', 1, 1.5 * 1024 ** 3],
    ['100', 1024, 102_400],
    ['1e3', 1, 1000],
    ['12 parsecs', 1, null],
    ['', 1, null],
    ['0x10', 1, null],
  ])('parseSize(%j)', (text, unit, bytes) => {
    expect(parseSize(text, unit)).toBe(bytes);
  });

  it.each<[string, number | null]>([
    ['5s', 5],
    ['500ms', 0.5],
    ['10m', 600],
    ['1.5h', 5400],
    ['7', 7],
    ['soon', null],
  ])('parseDuration(%j)', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});
