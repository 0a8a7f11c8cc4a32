import { MAX_LINE_BYTES } from './line-reader.js';
import type { DumpReport, HeapWarning } from './types.js';

/**
 * Everything a diff noticed that the user should know, worded as what happened and what to do.
 * Nothing is skipped silently: every skipped line, ignored record and suspicious input shows here.
 */

export const TRACING_HINT = 'require "objspace"; ObjectSpace.trace_object_allocations_start';

/** Below this share of B's objects found in A, A and B hardly look like dumps of one process. */
const UNRELATED_SHARE = 0.1;
const UNRELATED_MIN_OBJECTS = 1000;
/** At or above this share of new objects without a location (tracing on), suspect compaction. */
const UNLOCATED_SHARE = 0.25;
const UNLOCATED_MIN_OBJECTS = 50;

/** Per-file warnings about how the file read: bad lines, recovered lines, BOM, free slots. */
export function readingWarnings(dump: DumpReport, heapy: boolean): HeapWarning[] {
  const { stats, label } = dump;
  const warnings: HeapWarning[] = [];
  const at = (code: string, message: string) => warnings.push({ code, message, file: label });
  if (stats.badLines > 0) {
    const kinds = stats.notObjectLines > 0 ? ` (${stats.notObjectLines === stats.badLines ? 'valid JSON, but' : `${stats.notObjectLines} of them valid JSON but`} not an object)` : '';
    const truncated = stats.truncated ? '; the last line is cut short: the dump looks truncated (was the process killed while writing it?), so objects after the cut count as gone' : '';
    const what = stats.badLines === 1 ? '1 line is not a JSON object' : `${stats.badLines} lines are not JSON objects`;
    at('HEAP_BAD_LINES', `${what}, skipped${kinds}: ${lineList(stats.badLineNumbers, stats.badLines)}${truncated}`);
  }
  if (stats.recoveredLines > 0) {
    at(
      'HEAP_UNESCAPED_FILE',
      `${stats.recoveredLines === 1 ? '1 line has' : `${stats.recoveredLines} lines have`} a file name that Ruby wrote without JSON escaping (code eval'd under a name with a quote, backslash or TAB); read anyway: ${lineList(stats.recoveredLineNumbers, stats.recoveredLines)}`,
    );
  }
  if (stats.longLines > 0) {
    at(
      'HEAP_LONG_LINES',
      `${stats.longLines === 1 ? '1 line is' : `${stats.longLines} lines are`} longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB, skipped unread (objects on them are not counted): ${lineList(stats.longLineNumbers, stats.longLines)}`,
    );
  }
  if (stats.duplicates > 0) {
    at(
      'HEAP_DUPLICATE_LINES',
      `${stats.duplicates === 1 ? '1 object line repeats' : `${stats.duplicates} object lines repeat`} an object already read (same address and allocation record); each object is counted once: ${lineList(stats.duplicateLineNumbers, stats.duplicates)}`,
    );
  }
  if (stats.bomStripped) at('HEAP_BOM', 'starts with a UTF-8 byte-order mark, which was ignored');
  if (stats.freeSlots > 0) {
    const one = stats.freeSlots === 1;
    const records = one ? 'its 1 free-slot record (type NONE)' : `its ${stats.freeSlots} free-slot records (type NONE)`;
    const treatment = heapy ? `${one ? 'was' : 'were'} counted as objects, as heapy does` : one ? 'is not an object and was ignored' : 'are not objects and were ignored';
    at('HEAP_FULL_DUMP', `was written with dump_all(full: true): ${records} ${treatment}`);
  }
  if (stats.addressless > 0) {
    at(
      'HEAP_NO_ADDRESS',
      `${stats.addressless === 1 ? '1 JSON object without an "address" (and not a ROOT record) is not a heap object and was' : `${stats.addressless} JSON objects without an "address" (and not ROOT records) are not heap objects and were`} skipped`,
    );
  }
  if (stats.objects === 0) at('HEAP_NO_OBJECTS', 'holds no heap objects');
  return warnings;
}

/** Warnings that compare the dumps: order, relatedness, allocation tracing, compaction. */
export function diffWarnings(input: { dumps: DumpReport[]; inBefore: number; allocated: number; allocatedWithoutLocation: number }): HeapWarning[] {
  const warnings: HeapWarning[] = [];
  const [before, after, retained] = input.dumps as [DumpReport, DumpReport, DumpReport | undefined];
  const order = orderWarning(input.dumps);
  if (order !== null) warnings.push(order);
  const objects = after.stats.objects;
  if (before.stats.objects >= UNRELATED_MIN_OBJECTS && objects >= UNRELATED_MIN_OBJECTS && input.inBefore / objects < UNRELATED_SHARE) {
    warnings.push({
      code: 'HEAP_UNRELATED',
      message: `B shares only ${percent(input.inBefore / objects)} of its objects with A: are A and B dumps of the same process, taken in this order (A first)?`,
      file: after.label,
    });
  }
  if (objects > 0 && after.stats.withLocation === 0) {
    warnings.push({
      code: 'HEAP_NO_TRACING',
      message: `no object carries an allocation file/line: allocation tracing was off, so every group's location is unknown. Start tracing before the first dump: ${TRACING_HINT}`,
      file: after.label,
    });
  } else if (input.allocated >= UNLOCATED_MIN_OBJECTS && input.allocatedWithoutLocation / input.allocated >= UNLOCATED_SHARE) {
    warnings.push({
      code: 'HEAP_UNLOCATED_OBJECTS',
      message:
        `${input.allocatedWithoutLocation} of the ${input.allocated} objects new in B have no allocation file/line although tracing was on: ` +
        'GC.compact (or auto-compaction) probably moved them (Ruby before 3.4 drops the allocation record of a moved object), or tracing started after A was taken',
      file: after.label,
    });
  }
  if (retained !== undefined && retained.stats.objects === 0 && after.stats.objects > 0) {
    warnings.push({ code: 'HEAP_EMPTY_RETAINED', message: 'C holds no objects, so nothing can be retained', file: retained.label });
  }
  return warnings;
}

/**
 * `generation` is the GC count when an object was allocated, so the newest generation in a dump
 * only grows over a process's life. A later dump with an older newest generation is out of order.
 */
function orderWarning(dumps: DumpReport[]): HeapWarning | null {
  const traced = dumps.filter((dump) => dump.stats.maxGeneration >= 0);
  if (traced.length < 2) return null;
  for (let i = 1; i < traced.length; i += 1) {
    const earlier = traced[i - 1] as DumpReport;
    const later = traced[i] as DumpReport;
    if (later.stats.maxGeneration < earlier.stats.maxGeneration) {
      const listing = traced.map((dump) => `${dump.role} ${dump.stats.maxGeneration}`).join(', ');
      return {
        code: 'HEAP_OUT_OF_ORDER',
        message: `the dumps look out of order: the newest GC generation in each is ${listing}, but it can only grow. Give them oldest first: gemleak heap diff A B C`,
        file: later.label,
      };
    }
  }
  return null;
}

function lineList(numbers: readonly number[], total: number): string {
  const more = total > numbers.length ? ', …' : '';
  return `${numbers.length === 1 ? 'line' : 'lines'} ${numbers.join(', ')}${more}`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 1 : 0)}%`;
}
