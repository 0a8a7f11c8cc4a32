/**
 * Reading series files: the I/O edge of `gemleak trend`. Refuses what is not a regular file (a FIFO
 * would hang the run), reads in chunks and hands lines to the format's parser, so memory holds the
 * samples and never the file.
 */
import { open, stat } from 'node:fs/promises';
import { GemleakError } from '../errors.js';
import { PROMETHEUS_MAX_BYTES, createParser, detectFormat, type ParseSettings } from './formats.js';
import type { Series, TrendFormat, TrendWarning } from './types.js';

/** Longer lines are not memory samples (a GC.stat line is under 2 KiB); they are skipped as garbage. */
const MAX_LINE = 1024 * 1024;
const CHUNK = 1024 * 1024;
const SNIFF = 64 * 1024;

export interface ReadOptions {
  /** `--input`: skip detection. */
  format: TrendFormat | null;
  intervalS: number | null;
  unitBytes: number | null;
}

export interface ReadResult {
  series: Series[];
  format: TrendFormat;
  warnings: TrendWarning[];
}

/** Reads one file (`label` as the user typed it, `path` to open). */
export async function readSeriesFile(path: string, label: string, options: ReadOptions): Promise<ReadResult> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(label, error);
  });
  if (info.isDirectory()) throw new GemleakError('TREND_NOT_A_FILE', 'is a directory, not a series file', { file: label });
  if (!info.isFile()) throw new GemleakError('TREND_NOT_A_FILE', 'is not a regular file (a pipe or device); save the samples to a file first', { file: label });
  if (info.size === 0) throw new GemleakError('TREND_EMPTY', 'is empty (0 bytes): no memory samples', { file: label });
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw unreadable(label, error);
  });
  try {
    const head = Buffer.alloc(Math.min(SNIFF, info.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const headText = head.subarray(0, bytesRead).toString('utf8');
    if (headText.includes('\u0000')) throw new GemleakError('TREND_BINARY', 'is a binary file, not memory samples', { file: label });
    const format = options.format ?? detectFormat(headText);
    if (format === null) {
      throw new GemleakError(
        'TREND_UNKNOWN_FORMAT',
        'not a format gemleak trend reads (a column of numbers, CSV with a header, GC.stat JSON lines, Heroku log-runtime-metrics, Prometheus range JSON); say --input FORMAT',
        { file: label },
      );
    }
    const settings: ParseSettings = { file: label, intervalS: options.intervalS, unitBytes: options.unitBytes };
    const parser = createParser(format, settings);
    const bad = { count: 0, first: 0 };
    let lineNumber = 0;
    let samples = 0;
    // A Prometheus response is often one line of several megabytes; any other long line is garbage.
    const maxLine = format === 'prometheus-json' ? PROMETHEUS_MAX_BYTES : MAX_LINE;
    const feed = (line: string) => {
      lineNumber++;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() === '') return;
      const outcome = text.length > maxLine ? 'bad' : parser.line(text, lineNumber);
      if (outcome === 'bad') {
        bad.count++;
        if (bad.first === 0) bad.first = lineNumber;
      } else if (outcome === 'sample') samples++;
    };
    await forEachLine(handle, feed, maxLine);
    const series = parser.finish().filter((one) => one.mib.length > 0);
    if (series.length === 0) {
      const where = bad.first > 0 ? { file: label, line: bad.first } : { file: label };
      throw new GemleakError(
        'TREND_NO_SAMPLES',
        `no memory samples found (read as ${format}${bad.count > 0 ? `; ${bad.count} unreadable ${bad.count === 1 ? 'line' : 'lines'}, the first here` : ''})`,
        where,
      );
    }
    const warnings: TrendWarning[] = parser.notes.map((message) => ({ file: label, line: null, message }));
    if (bad.count > 0) {
      warnings.push({
        file: label,
        line: bad.first,
        message: `skipped ${bad.count} ${bad.count === 1 ? 'line' : 'lines'} that ${bad.count === 1 ? 'is' : 'are'} not a ${format} sample (the first here); ${samples} read`,
      });
    }
    for (const one of series) {
      if (one.outOfOrder > 0)
        warnings.push({ file: label, line: null, message: `${one.key ?? 'the series'}: ${one.outOfOrder} ${one.outOfOrder === 1 ? 'sample was' : 'samples were'} out of time order; sorted by time` });
    }
    return { series, format, warnings };
  } finally {
    await handle.close();
  }
}

/** Calls `feed` with each line of the file, reading a megabyte at a time. */
async function forEachLine(handle: import('node:fs/promises').FileHandle, feed: (line: string) => void, maxLine: number): Promise<void> {
  const buffer = Buffer.alloc(CHUNK);
  let carry = '';
  let position = 0;
  const decoder = new TextDecoder('utf-8');
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      feed(text.slice(start, newline));
      start = newline + 1;
    }
    carry = text.slice(start);
    // A "line" this long is not a sample; keep only its start so memory stays bounded.
    if (carry.length > maxLine * 2) carry = carry.slice(0, maxLine + 1);
  }
  carry += decoder.decode();
  if (carry !== '') feed(carry);
}

function unreadable(label: string, error: NodeJS.ErrnoException): GemleakError {
  if (error.code === 'ENOENT') return new GemleakError('TREND_MISSING', 'no such file', { file: label });
  if (error.code === 'EACCES') return new GemleakError('TREND_UNREADABLE', 'permission denied', { file: label });
  return new GemleakError('TREND_UNREADABLE', `cannot be read (${error.code ?? error.message})`, { file: label });
}
