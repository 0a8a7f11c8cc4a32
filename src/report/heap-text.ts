import type { SelectedGroups } from '../heap/groups.js';
import type { HeapDiffResult, HeapGroup } from '../heap/types.js';
import { UNKNOWN_LOCATION, location, objects, typeAndClass } from './heap-format.js';
import { type Style, createStyle } from './style.js';

export interface HeapTextOptions {
  color: boolean;
  filters: readonly string[];
  excludes: readonly string[];
}

/**
 * The human report of a heap diff: what was read, how many objects are new and retained, then one
 * line per group, `Retained STRING 500 objects of size 20540 bytes at: app/models/user.rb:17`.
 */
export function renderHeapDiffText(result: HeapDiffResult, selected: SelectedGroups, options: HeapTextOptions): string {
  const style = createStyle(options.color);
  const blocks = [header(result, selected, options, style)];
  if (selected.shown.length > 0) blocks.push(groupLines(result, selected, style));
  else blocks.push(nothingFound(result, options));
  return `${blocks.join('\n\n')}\n`;
}

function header(result: HeapDiffResult, selected: SelectedGroups, options: HeapTextOptions, style: Style): string {
  const threeWay = result.mode === 'retained';
  const title = threeWay
    ? 'Heap diff (3-way): objects allocated between A and B that are still alive in C'
    : 'Heap diff (2-way): objects allocated between A and B';
  const width = Math.max(...result.dumps.map((dump) => dump.label.length));
  const lines = [style.bold(title)];
  for (const dump of result.dumps) lines.push(`  ${dump.role}  ${dump.label.padEnd(width)}  ${objects(dump.stats.objects)}`);
  lines.push(`  Allocated between A and B: ${objects(result.allocated.count)}, ${result.allocated.memsize} bytes`);
  if (result.retained !== null) {
    lines.push(`  Retained in C:             ${objects(result.retained.count)}, ${result.retained.memsize} bytes, ${groups(result.groups.length)}`);
  } else {
    lines.push(`  In ${groups(result.groups.length)}`);
  }
  if (options.filters.length > 0 || options.excludes.length > 0) {
    const total = selected.matchingTotal;
    lines.push(`  Matching ${filterText(options)}: ${objects(total.count)}, ${total.memsize} bytes, ${groups(selected.matching.length)}`);
  }
  lines.push(style.dim(`  Identity: ${identityText(result)}`));
  return lines.join('\n');
}

function identityText(result: HeapDiffResult): string {
  if (result.heapy) return 'address only (--compat heapy)';
  if (result.identity === 'address') return 'address only (--identity address): a reused slot passes for the old object';
  return 'address + allocation record (type, file, line, generation): a reused slot is a new object';
}

function groupLines(result: HeapDiffResult, selected: SelectedGroups, style: Style): string {
  const word = result.mode === 'retained' ? 'Retained' : 'Allocated';
  const lines = selected.shown.map((group) => groupLine(word, group, style));
  const { hidden } = selected;
  if (hidden.groups > 0) {
    lines.push(style.dim(`… and ${groups(hidden.groups)} more (${objects(hidden.count)}, ${hidden.memsize} bytes): --top N or --all to see them`));
  }
  if (selected.shown.some((group) => group.vmInternal)) {
    lines.push(style.dim('[VM] IMEMO groups are Ruby VM bookkeeping (inline method caches and the like): really retained, but bounded, not a leak.'));
  }
  if (selected.shown.some((group) => group.file === null && group.line === null)) {
    lines.push(style.dim(`${UNKNOWN_LOCATION}: allocated before allocation tracing started, or moved by GC.compact (Ruby before 3.4 then drops the record).`));
  }
  return lines.join('\n');
}

function groupLine(word: string, group: HeapGroup, style: Style): string {
  const note = group.vmInternal ? style.dim(' [VM]') : '';
  return `${word} ${typeAndClass(group)} ${objects(group.count)} of size ${group.memsize} bytes at: ${location(group)}${note}`;
}

function nothingFound(result: HeapDiffResult, options: HeapTextOptions): string {
  if (result.groups.length > 0) return `No group matches ${filterText(options)}.`;
  return result.mode === 'retained'
    ? 'Nothing retained: no object allocated between A and B is still alive in C.'
    : 'Nothing allocated: B holds no object that A does not.';
}

function filterText(options: HeapTextOptions): string {
  return [...options.filters.map((text) => `--filter ${text}`), ...options.excludes.map((text) => `--exclude ${text}`)].join(' ');
}

function groups(count: number): string {
  return count === 1 ? '1 group' : `${count} groups`;
}
