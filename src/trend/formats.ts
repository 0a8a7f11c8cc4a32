/**
 * The input formats of `gemleak trend`: how each is recognised from its first lines, and how each
 * line becomes a sample. Pure: the reader (read.ts) feeds lines, a parser never prints or opens files.
 * Units are taken from the input wherever it states them (a `rss_kb` header, `MB` after a Heroku
 * value, a `_bytes` metric name); where it does not, the format's own convention applies, or `--unit`.
 */
import { GemleakError } from '../errors.js';
import { SeriesBuilder, type SampleExtras } from './builder.js';
import type { Series, TrendFormat } from './types.js';
import { bytesToMib, parseSize, unitBytes } from './units.js';

const KIB = 1024;
const MIB = 1024 * 1024;
/** More series than this in one file (dynos, label sets) is not a memory recording but an attack on ours. */
const MAX_SERIES = 1000;
/** derailed_benchmarks' perf:mem_over_time samples every 5 seconds (its `sleep 5`). */
const DERAILED_INTERVAL_S = 5;

export interface ParseSettings {
  /** The file as the user named it (for messages and series names). */
  file: string;
  /** `--interval`: seconds between samples where the format has no times. */
  intervalS: number | null;
  /** `--unit`: bytes per unit where the format does not say (a bare column, a `rss` header). */
  unitBytes: number | null;
}

/** What a line was: a sample, a line the format expects and skips (a header, a router log line), or garbage. */
type LineOutcome = 'sample' | 'skipped' | 'bad';

export interface FormatParser {
  readonly format: TrendFormat;
  line(text: string, lineNumber: number): LineOutcome;
  finish(): Series[];
  /** Notes about how the input was read (an assumed unit), for the report's warnings. */
  readonly notes: string[];
}

/**
 * Recognises the format from the first lines (up to 64 KiB), or null. The order matters: JSON
 * first, then Heroku lines (they can follow other log lines), a CSV header, then bare numbers.
 */
export function detectFormat(head: string): TrendFormat | null {
  const lines = head
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const first = lines[0];
  if (first === undefined) return null;
  if (first.startsWith('{') || first.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(first);
      if (isRecord(value) && ('data' in value || 'resultType' in value || 'status' in value)) return 'prometheus-json';
      if (isRecord(value)) return 'gcstat-jsonl';
    } catch {
      // A pretty-printed or long Prometheus document does not parse line by line.
    }
    return /"resultType"|"result"|"status"/.test(head) || !first.endsWith('}') ? 'prometheus-json' : 'gcstat-jsonl';
  }
  if (lines.some((line) => /\bsample#memory_(total|rss)=/.test(line))) return 'heroku-log';
  if (/^PID:\s*\d+$/i.test(first)) return 'derailed';
  if (/[,;\t]/.test(first) && /[a-z]/i.test(first)) return 'csv';
  if (/^[^,;\t]+[,;\t][^,;\t]+/.test(first)) return 'csv';
  const numeric = lines.slice(0, 50).filter((line) => parseSize(line, 1) !== null);
  if (numeric.length === 0) return null;
  return numeric.some((line) => /^\s*[0-9]*\.[0-9]/.test(line)) ? 'derailed' : 'ps-column';
}

export function createParser(format: TrendFormat, settings: ParseSettings): FormatParser {
  switch (format) {
    case 'derailed':
      return new ValuePerLineParser(format, settings, MIB, settings.intervalS ?? DERAILED_INTERVAL_S);
    case 'ps-column':
      return new ValuePerLineParser(format, settings, KIB, settings.intervalS);
    case 'csv':
      return new CsvParser(settings);
    case 'gcstat-jsonl':
      return new GcStatParser(settings);
    case 'heroku-log':
      return new HerokuParser(settings);
    case 'prometheus-json':
      return new PrometheusParser(settings);
  }
}

/** derailed's file and `ps -o rss=` loops: one value per line, optionally with a unit (`512 MB`). */
class ValuePerLineParser implements FormatParser {
  readonly notes: string[] = [];
  private readonly builder: SeriesBuilder;
  private readonly defaultUnit: number;

  constructor(
    readonly format: TrendFormat,
    settings: ParseSettings,
    formatUnit: number,
    private readonly intervalS: number | null,
  ) {
    this.builder = new SeriesBuilder(settings.file, null, format);
    this.defaultUnit = settings.unitBytes ?? formatUnit;
  }

  line(text: string): LineOutcome {
    // derailed's STDOUT starts with `PID: n`; its tmp/ file does not.
    if (/^\s*PID:\s*\d+\s*$/i.test(text)) return 'skipped';
    const bytes = parseSize(text, this.defaultUnit);
    if (bytes === null || bytes < 0) return 'bad';
    const index = this.builder.length;
    this.builder.push(this.intervalS === null ? index : index * this.intervalS, bytesToMib(bytes));
    return 'sample';
  }

  finish(): Series[] {
    return [this.builder.build(this.intervalS === null ? 'samples' : 'seconds', null)];
  }
}

const PLAIN_ROW = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/;
const TIME_HEADERS = /^(timestamp|time|ts|t|epoch|date|datetime|unix_time|unixtime)$/i;
const REQUEST_HEADERS = /^(requests?|reqs|request_count|requests_total|iterations?|calls)$/i;
const PID_HEADERS = /^(pid|process|dyno|instance)$/i;
const MEMORY_HEADERS = /(rss|pss|mem|memory|resident|vmrss|value|size)/i;

/** `timestamp,rss_kb` and friends: a header names the columns, and says the unit where it can. */
class CsvParser implements FormatParser {
  readonly format = 'csv' as const;
  readonly notes: string[] = [];
  private readonly builder: SeriesBuilder;
  private separator = ',';
  private columns: { time: number; memory: number; requests: number; pid: number; unit: number } | null = null;
  private hasTime = false;
  private plainRows = false;

  constructor(private readonly settings: ParseSettings) {
    this.builder = new SeriesBuilder(settings.file, null, 'csv');
  }

  line(text: string, lineNumber: number): LineOutcome {
    if (this.columns === null) return this.header(text, lineNumber);
    if (this.plainRows) {
      // `epoch,value` rows, the shape of a million-line recording: one match, no cell array.
      const row = PLAIN_ROW.exec(text);
      if (row !== null) {
        const t = Number(row[1]);
        this.builder.push(t > 1e11 ? t / 1000 : t, bytesToMib(Number(row[2]) * this.columns.unit));
        return 'sample';
      }
    }
    const cells = text.split(this.separator);
    const rawValue = cells[this.columns.memory];
    if (rawValue === undefined) return 'bad';
    const bytes = parseSize(unquote(rawValue), this.columns.unit);
    if (bytes === null || bytes < 0) return 'bad';
    let x = this.builder.length * (this.settings.intervalS ?? 1);
    if (this.columns.time >= 0) {
      const seconds = parseTimestamp(unquote(cells[this.columns.time] ?? ''));
      if (seconds === null) return 'bad';
      x = seconds;
    }
    const extras: SampleExtras = {};
    if (this.columns.requests >= 0) {
      const requests = Number(unquote(cells[this.columns.requests] ?? ''));
      if (Number.isFinite(requests)) extras.requests = requests;
    }
    if (this.columns.pid >= 0 && cells[this.columns.pid] !== undefined) extras.identity = unquote(cells[this.columns.pid]!);
    this.builder.push(x, bytesToMib(bytes), this.columns.requests < 0 && this.columns.pid < 0 ? undefined : extras);
    return 'sample';
  }

  private header(text: string, lineNumber: number): LineOutcome {
    this.separator = [',', '\t', ';'].find((candidate) => text.includes(candidate)) ?? ',';
    const names = text.split(this.separator).map(unquote);
    if (names.every((name) => parseSize(name, 1) !== null || parseTimestamp(name) !== null)) {
      // No header: `time,value` rows. Take the first column as time, the last as memory.
      this.columns = { time: 0, memory: names.length - 1, requests: -1, pid: -1, unit: this.settings.unitBytes ?? KIB };
      this.hasTime = names.length > 1;
      if (this.settings.unitBytes === null) this.notes.push('the CSV has no header: read the last column as KiB (as ps writes RSS); say --unit otherwise');
      return this.line(text, lineNumber);
    }
    const time = names.findIndex((name) => TIME_HEADERS.test(name));
    const memory = names.findIndex((name, i) => i !== time && MEMORY_HEADERS.test(name) && !REQUEST_HEADERS.test(name));
    if (memory < 0) {
      throw new GemleakError('TREND_BAD_HEADER', `no memory column in the CSV header (expected a name such as rss_kb, rss_mb, rss_bytes or pss_kb)`, { file: this.settings.file, line: lineNumber });
    }
    this.columns = {
      time,
      memory,
      requests: names.findIndex((name) => REQUEST_HEADERS.test(name)),
      pid: names.findIndex((name) => PID_HEADERS.test(name)),
      unit: this.headerUnit(names[memory]!),
    };
    this.hasTime = time >= 0;
    this.plainRows = this.separator === ',' && names.length === 2 && time === 0 && memory === 1;
    return 'skipped';
  }

  /** `rss_kb` → KiB, `rss_mb` → MiB, `rss_bytes` → bytes, `rss (kB)` → KiB; a bare `rss` → --unit or KiB. */
  private headerUnit(name: string): number {
    const match = /(?:[_ (.-]|^)(b|bytes|k|kb|kib|kilobytes|m|mb|mib|megabytes|g|gb|gib|gigabytes)\)?$/i.exec(name);
    const word = match?.[1]
      ?.toLowerCase()
      .replace(/ilobytes$/, 'b')
      .replace(/egabytes$/, 'b')
      .replace(/igabytes$/, 'b');
    const fromHeader = word === undefined ? null : unitBytes(word);
    if (fromHeader !== null) return fromHeader;
    if (this.settings.unitBytes !== null) return this.settings.unitBytes;
    this.notes.push(`the column '${name}' does not name its unit: read as KiB (as ps and /proc write RSS); say --unit otherwise`);
    return KIB;
  }

  finish(): Series[] {
    const timed = this.hasTime || this.settings.intervalS !== null;
    return [this.builder.build(timed ? 'seconds' : 'samples', null)];
  }
}

/** `GC.stat.merge(t: Time.now.to_f, rss: …).to_json`, one per line. Unknown keys are ignored. */
class GcStatParser implements FormatParser {
  readonly format = 'gcstat-jsonl' as const;
  readonly notes: string[] = [];
  private readonly builder: SeriesBuilder;
  private timed: boolean | null = null;

  constructor(private readonly settings: ParseSettings) {
    this.builder = new SeriesBuilder(settings.file, null, 'gcstat-jsonl');
  }

  line(text: string): LineOutcome {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'bad';
    }
    if (!isRecord(value)) return 'bad';
    const bytes = memoryBytes(value, this.settings.unitBytes);
    if (bytes === null) return 'bad';
    const t = firstNumber(value, ['t', 'ts', 'timestamp', 'unix_time']);
    if (this.timed === null) this.timed = t !== null;
    let x: number;
    if (t !== null) x = t;
    else x = this.builder.length * (this.settings.intervalS ?? 1);
    this.builder.push(x, bytesToMib(bytes), {
      ...optional('requests', firstNumber(value, ['requests', 'request_count', 'requests_total'])),
      ...optional('oldObjects', numberAt(value, 'old_objects')),
      ...optional('heapLiveSlots', numberAt(value, 'heap_live_slots')),
      counters: [numberAt(value, 'count') ?? NaN, numberAt(value, 'total_allocated_objects') ?? NaN],
      ...(typeof value.pid === 'number' || typeof value.pid === 'string' ? { identity: String(value.pid) } : {}),
    });
    return 'sample';
  }

  finish(): Series[] {
    const timed = this.timed === true || this.settings.intervalS !== null;
    return [this.builder.build(timed ? 'seconds' : 'samples', null)];
  }
}

/** `rss` is bytes (what get_process_mem and prometheus_exporter report), `rss_kb` KiB, `rss_mb` MiB. */
function memoryBytes(record: Record<string, unknown>, unit: number | null): number | null {
  const keys: Array<[string, number]> = [
    ['rss_bytes', 1],
    ['rss_kb', KIB],
    ['rss_kib', KIB],
    ['rss_mb', MIB],
    ['rss_mib', MIB],
    ['pss_bytes', 1],
    ['pss_kb', KIB],
    ['pss', unit ?? 1],
    ['rss', unit ?? 1],
    ['memory', unit ?? 1],
  ];
  for (const [key, factor] of keys) {
    const value = numberAt(record, key);
    if (value !== null && value >= 0) return value * factor;
  }
  return null;
}

const HEROKU_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s/;
const HEROKU_MEMORY = /\bsample#memory_(total|rss)=([0-9.]+)\s*([a-zA-Z]+)/g;

/**
 * Heroku log-runtime-metrics lines among router and app lines: one series per `source=` (dyno).
 * `memory_total` (RSS + cache + swap) is read, not `memory_rss`: once a dyno swaps, RSS stops at
 * the quota while the total keeps growing.
 */
class HerokuParser implements FormatParser {
  readonly format = 'heroku-log' as const;
  readonly notes: string[] = [];
  private readonly builders = new Map<string, SeriesBuilder>();
  private timed = true;

  constructor(private readonly settings: ParseSettings) {}

  line(text: string, lineNumber: number): LineOutcome {
    if (!text.includes('sample#memory_')) return 'skipped';
    let total: number | null = null;
    let rss: number | null = null;
    for (const match of text.matchAll(HEROKU_MEMORY)) {
      const bytes = parseSize(`${match[2]}${match[3]}`, MIB);
      if (bytes === null) return 'bad';
      if (match[1] === 'total') total = bytes;
      else rss = bytes;
    }
    const bytes = total ?? rss;
    if (bytes === null) return 'skipped';
    const source = /\bsource=(\S+)/.exec(text)?.[1] ?? /\b(?:heroku|app)\[([^\]]+)\]/.exec(text)?.[1] ?? 'dyno';
    let builder = this.builders.get(source);
    if (builder === undefined) {
      if (this.builders.size >= MAX_SERIES) throw tooManySeries(this.settings.file, lineNumber);
      builder = new SeriesBuilder(this.settings.file, source, 'heroku-log');
      this.builders.set(source, builder);
    }
    const time = HEROKU_TIME.exec(text);
    let x: number;
    if (time !== null) {
      x = Date.parse(time[1]!) / 1000;
      if (!Number.isFinite(x)) return 'bad';
    } else {
      this.timed = false;
      x = builder.length * (this.settings.intervalS ?? 1);
    }
    const quota = /\bsample#memory_quota=([0-9.]+\s*[a-zA-Z]+)/.exec(text);
    if (quota !== null) {
      const quotaBytes = parseSize(quota[1]!, MIB);
      if (quotaBytes !== null && quotaBytes > 0) builder.quotaMiB = bytesToMib(quotaBytes);
    }
    const dyno = /\bdyno=(\S+)/.exec(text)?.[1];
    builder.push(x, bytesToMib(bytes), dyno === undefined ? {} : { identity: dyno });
    return 'sample';
  }

  finish(): Series[] {
    const timed = this.timed || this.settings.intervalS !== null;
    return [...this.builders.values()].map((builder) => builder.build(timed ? 'seconds' : 'samples', null));
  }
}

/** The largest Prometheus document read whole (a range query of a few series is far smaller). */
export const PROMETHEUS_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A Prometheus range-query response (`resultType: "matrix"`), one series per label set. Values are
 * bytes, as Prometheus names require (`_bytes`), unless the metric name says another unit.
 */
class PrometheusParser implements FormatParser {
  readonly format = 'prometheus-json' as const;
  readonly notes: string[] = [];
  private readonly chunks: string[] = [];
  private size = 0;

  constructor(private readonly settings: ParseSettings) {}

  line(text: string): LineOutcome {
    this.size += text.length + 1;
    if (this.size > PROMETHEUS_MAX_BYTES) {
      throw new GemleakError('TREND_TOO_BIG', `a Prometheus document over ${PROMETHEUS_MAX_BYTES / MIB} MiB; query a shorter range or a larger step`, { file: this.settings.file });
    }
    this.chunks.push(text);
    return 'skipped';
  }

  finish(): Series[] {
    const file = this.settings.file;
    let document: unknown;
    try {
      document = JSON.parse(this.chunks.join('\n'));
    } catch (error) {
      throw new GemleakError('TREND_BAD_JSON', `not valid JSON (${(error as Error).message})`, { file });
    }
    const data = isRecord(document) && isRecord(document.data) ? document.data : document;
    if (!isRecord(data) || !Array.isArray(data.result)) {
      throw new GemleakError('TREND_BAD_PROMETHEUS', 'not a Prometheus query response (no data.result array)', { file });
    }
    if (data.resultType !== undefined && data.resultType !== 'matrix') {
      throw new GemleakError('TREND_BAD_PROMETHEUS', `a '${String(data.resultType)}' result has no history: run a range query (query_range), which returns a matrix`, { file });
    }
    const results = data.result.filter(isRecord);
    if (results.length > MAX_SERIES) throw tooManySeries(file, null);
    const labels = results.map((result) => (isRecord(result.metric) ? result.metric : {}));
    const keys = seriesKeys(labels);
    return results.map((result, i) => {
      const metric = labels[i]!;
      const builder = new SeriesBuilder(file, results.length > 1 || keys[i] !== '' ? keys[i]! : null, 'prometheus-json');
      const unit = metricUnit(String(metric.__name__ ?? ''), this.settings.unitBytes);
      const values = Array.isArray(result.values) ? result.values : [];
      for (const pair of values) {
        if (!Array.isArray(pair) || pair.length < 2) continue;
        const ts = Number(pair[0]);
        const value = Number(pair[1]);
        if (!Number.isFinite(ts) || !Number.isFinite(value) || value < 0) continue;
        builder.push(ts, bytesToMib(value * unit));
      }
      return builder.build('seconds', null);
    });
  }
}

/** `name{pid="4102"}`: the labels that tell the series apart (only `pid` when it alone does). */
function seriesKeys(labels: Array<Record<string, unknown>>): string[] {
  const names = new Set(labels.flatMap((metric) => Object.keys(metric).filter((key) => key !== '__name__')));
  const varying = [...names].filter((name) => new Set(labels.map((metric) => String(metric[name] ?? ''))).size > 1).sort();
  const distinct = (name: string) => new Set(labels.map((metric) => String(metric[name] ?? ''))).size === labels.length;
  const shown = varying.includes('pid') && distinct('pid') ? ['pid'] : varying;
  return labels.map((metric) => {
    const name = String(metric.__name__ ?? '');
    const inside = shown.filter((key) => metric[key] !== undefined).map((key) => `${key}="${String(metric[key])}"`);
    return inside.length === 0 ? name : `${name}{${inside.join(',')}}`;
  });
}

function metricUnit(name: string, unit: number | null): number {
  if (/_bytes(_total)?$/.test(name)) return 1;
  if (/_(kb|kilobytes|kib)$/i.test(name)) return KIB;
  if (/_(mb|megabytes|mib)$/i.test(name)) return MIB;
  return unit ?? 1;
}

function tooManySeries(file: string, line: number | null): GemleakError {
  return new GemleakError('TREND_TOO_MANY_SERIES', `more than ${MAX_SERIES} series (dynos or label sets) in one file; split it, or query fewer`, line === null ? { file } : { file, line });
}

/** Epoch seconds (milliseconds when it is too large to be seconds), or an ISO-8601 date. */
function parseTimestamp(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (Number.isFinite(value) && /^-?[0-9.]+$/.test(trimmed)) return value > 1e11 ? value / 1000 : value;
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberAt(record: Record<string, unknown>, key: string): number | null {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function firstNumber(record: Record<string, unknown>, keys: string[]): number | null {
  for (const key of keys) {
    const value = numberAt(record, key);
    if (value !== null) return value;
  }
  return null;
}

function optional<K extends string>(key: K, value: number | null): Partial<Record<K, number>> {
  return value === null ? {} : ({ [key]: value } as Record<K, number>);
}
