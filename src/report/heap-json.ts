import type { SelectedGroups } from '../heap/groups.js';
import type { DumpReport, HeapDiffResult, HeapGroup, HeapWarning } from '../heap/types.js';
import { lineNumber } from './heap-format.js';

/** Bumped only on breaking changes to the JSON shape; additions keep it. */
export const HEAP_DIFF_JSON_SCHEMA_VERSION = 1;

export interface HeapJsonOptions {
  gemleakVersion: string;
  filters: readonly string[];
  excludes: readonly string[];
}

/**
 * `heap diff --format json`: every group that passes the filters (not only the top N), in report
 * order, with the summary and the warnings. Keys are snake_case and stable; see docs/heap-diff.md.
 */
export function renderHeapDiffJson(result: HeapDiffResult, selected: SelectedGroups, options: HeapJsonOptions): string {
  const document = {
    schema_version: HEAP_DIFF_JSON_SCHEMA_VERSION,
    gemleak_version: options.gemleakVersion,
    mode: result.mode,
    identity: result.identity,
    compat: result.heapy ? 'heapy' : null,
    dumps: result.dumps.map(dumpJson),
    summary: {
      allocated: result.allocated,
      retained: result.retained,
      groups: result.groups.length,
      matching: { groups: selected.matching.length, ...selected.matchingTotal },
    },
    filters: { filter: options.filters, exclude: options.excludes },
    groups: selected.matching.map(groupJson),
    warnings: result.warnings.map(warningJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function dumpJson(dump: DumpReport) {
  const { stats } = dump;
  return {
    role: dump.role,
    path: dump.label,
    gzip: dump.gzip,
    bytes: dump.bytes,
    lines: stats.lines,
    objects: stats.objects,
    memsize: stats.memsize,
    with_location: stats.withLocation,
    max_generation: stats.maxGeneration < 0 ? null : stats.maxGeneration,
    bad_lines: stats.badLines,
    recovered_lines: stats.recoveredLines,
    free_slots: stats.freeSlots,
    truncated: stats.truncated,
  };
}

export function groupJson(group: HeapGroup) {
  return {
    type: group.type,
    class: group.className,
    file: group.file,
    line: lineNumber(group.line),
    count: group.count,
    memsize: group.memsize,
    vm_internal: group.vmInternal,
  };
}

export function warningJson(warning: HeapWarning) {
  return { code: warning.code, message: warning.message, file: warning.file };
}
