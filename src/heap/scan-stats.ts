import type { HeapRecord } from './record.js';
import { LINE_NOT_OBJECT } from './record.js';

/** How many line numbers a warning quotes. */
const QUOTED_LINES = 5;

/** What reading one dump (or one byte range of it) saw, line by line. Ranges merge in file order. */
export interface DumpScanStats {
  lines: number;
  /** Heap objects taken into account (free slots excluded unless reading like heapy). */
  objects: number;
  memsize: number;
  /** `{"type":"NONE"}` records: free slots, written by `dump_all(full: true)`. */
  freeSlots: number;
  rootRecords: number;
  /** JSON objects without an address that are not ROOT records either. */
  addressless: number;
  /** Lines that are not JSON objects (not JSON, or JSON of another kind). */
  badLines: number;
  badLineNumbers: number[];
  /** Of the bad lines, those that were valid JSON but not an object. */
  notObjectLines: number;
  /** The last line had no newline and was not readable: the file was cut short. */
  truncated: boolean;
  /** Lines with an unescaped file name that were read anyway. */
  recoveredLines: number;
  recoveredLineNumbers: number[];
  bomStripped: boolean;
  /** Objects that carry an allocation file (allocation tracing was on when they were made). */
  withLocation: number;
  /** Highest `generation` seen, -1 if none. */
  maxGeneration: number;
  /** Object lines that repeat one already read (same address and allocation record): counted once. */
  duplicates: number;
  duplicateLineNumbers: number[];
  /** Lines longer than the line cap, skipped unread. */
  longLines: number;
  longLineNumbers: number[];
}

export function emptyStats(): DumpScanStats {
  return {
    lines: 0,
    objects: 0,
    memsize: 0,
    freeSlots: 0,
    rootRecords: 0,
    addressless: 0,
    badLines: 0,
    badLineNumbers: [],
    notObjectLines: 0,
    truncated: false,
    recoveredLines: 0,
    recoveredLineNumbers: [],
    bomStripped: false,
    withLocation: 0,
    maxGeneration: -1,
    duplicates: 0,
    duplicateLineNumbers: [],
    longLines: 0,
    longLineNumbers: [],
  };
}

export function countDuplicate(stats: DumpScanStats, lineNumber: number): void {
  stats.duplicates += 1;
  if (stats.duplicateLineNumbers.length < QUOTED_LINES) stats.duplicateLineNumbers.push(lineNumber);
}

export function countLongLine(stats: DumpScanStats, lineNumber: number): void {
  stats.longLines += 1;
  if (stats.longLineNumbers.length < QUOTED_LINES) stats.longLineNumbers.push(lineNumber);
}

export function countBadLine(stats: DumpScanStats, record: HeapRecord, lineNumber: number, unterminated: boolean): void {
  stats.badLines += 1;
  if (record.kind === LINE_NOT_OBJECT) stats.notObjectLines += 1;
  if (stats.badLineNumbers.length < QUOTED_LINES) stats.badLineNumbers.push(lineNumber);
  if (unterminated) stats.truncated = true;
}

export function countObject(stats: DumpScanStats, record: HeapRecord, lineNumber: number): void {
  stats.objects += 1;
  stats.memsize += record.memsize;
  if (record.fileStart >= 0) stats.withLocation += 1;
  if (record.generation > stats.maxGeneration) stats.maxGeneration = record.generation;
  if (record.recovered) {
    stats.recoveredLines += 1;
    if (stats.recoveredLineNumbers.length < QUOTED_LINES) stats.recoveredLineNumbers.push(lineNumber);
  }
}

/** Combines the stats of consecutive ranges of one file; line numbers of later ranges are shifted. */
export function mergeStats(parts: readonly DumpScanStats[]): DumpScanStats {
  const total = emptyStats();
  let linesBefore = 0;
  for (const part of parts) {
    total.objects += part.objects;
    total.memsize += part.memsize;
    total.freeSlots += part.freeSlots;
    total.rootRecords += part.rootRecords;
    total.addressless += part.addressless;
    total.badLines += part.badLines;
    total.notObjectLines += part.notObjectLines;
    total.truncated ||= part.truncated;
    total.recoveredLines += part.recoveredLines;
    total.bomStripped ||= part.bomStripped;
    total.withLocation += part.withLocation;
    total.maxGeneration = Math.max(total.maxGeneration, part.maxGeneration);
    appendQuoted(total.badLineNumbers, part.badLineNumbers, linesBefore);
    appendQuoted(total.recoveredLineNumbers, part.recoveredLineNumbers, linesBefore);
    total.duplicates += part.duplicates;
    appendQuoted(total.duplicateLineNumbers, part.duplicateLineNumbers, linesBefore);
    total.longLines += part.longLines;
    appendQuoted(total.longLineNumbers, part.longLineNumbers, linesBefore);
    linesBefore += part.lines;
  }
  total.lines = linesBefore;
  return total;
}

function appendQuoted(into: number[], from: readonly number[], shift: number): void {
  for (const line of from) if (into.length < QUOTED_LINES) into.push(line + shift);
}
