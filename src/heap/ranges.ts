import type { DumpFile } from './input.js';
import type { LineSource } from './line-reader.js';

/** A range smaller than this is not worth a thread of its own. */
const MIN_RANGE_BYTES = 1024 * 1024;

/**
 * Splits a plain dump into `parts` byte ranges of about equal size, for parallel reading; a
 * gzipped dump can only be read from its start, so it stays whole.
 */
export function planRanges(file: DumpFile, parts: number): LineSource[] {
  const count = file.gzip ? 1 : Math.max(1, Math.min(parts, Math.floor(file.size / MIN_RANGE_BYTES)));
  if (file.gzip) return [{ path: file.path, label: file.label, gzip: true, start: 0, end: Number.POSITIVE_INFINITY, stripBom: true }];
  const sources: LineSource[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = Math.floor((file.size * i) / count);
    const end = i === count - 1 ? file.size : Math.floor((file.size * (i + 1)) / count);
    sources.push({ path: file.path, label: file.label, gzip: false, start, end, stripBom: i === 0 });
  }
  return sources;
}
