import { CLASSLESS_TYPES } from './group-index.js';
import type { GroupTally } from './scan-jobs.js';
import type { HeapGroup } from './types.js';

const CLASSLESS = new Set(CLASSLESS_TYPES);

/**
 * Joins the group tallies of consecutive ranges of B (in file order), names classes, and merges
 * groups that end up identical once named (the same class can have several addresses over a
 * process's life, e.g. after a code reload). Also tells, for each tally of each part, which merged
 * group it went into.
 */
export function mergeGroupsIndexed(parts: readonly GroupTally[][], classNames: ReadonlyMap<string, string>, heapy: boolean): { groups: HeapGroup[]; groupOf: number[][] } {
  const byKey = new Map<string, { tally: GroupTally; order: number }>();
  const keyOrder: number[][] = [];
  for (const part of parts) {
    const orders: number[] = [];
    for (const tally of part) {
      const existing = byKey.get(tally.key);
      if (existing === undefined) {
        const order = byKey.size;
        byKey.set(tally.key, { tally: { ...tally, samples: [...tally.samples] }, order });
        orders.push(order);
      } else {
        addTally(existing.tally, tally);
        orders.push(existing.order);
      }
    }
    keyOrder.push(orders);
  }
  const merged = [...byKey.values()].map((entry) => entry.tally);
  if (heapy) return { groups: merged.map((tally) => toGroup(tally, null)), groupOf: keyOrder };
  const { groups, groupOf: namedOf } = nameGroups(merged, classNames);
  return { groups, groupOf: keyOrder.map((orders) => orders.map((order) => namedOf[order] as number)) };
}

/** What naming needs of a tally. */
export type SiteTally = Omit<GroupTally, 'key' | 'index'>;

/**
 * Names the class of each tally (distinct type, class address, file, line, in first-seen order) and
 * merges those that are then the same group. `groupOf[i]` is the group of the i-th tally. Tallies
 * are read one at a time, so they may be made on the fly and dropped.
 */
export function nameGroups(tallies: Iterable<SiteTally>, classNames: ReadonlyMap<string, string>): { groups: HeapGroup[]; groupOf: number[] } {
  const named = new Map<string, number>();
  const groups: HeapGroup[] = [];
  const groupOf: number[] = [];
  for (const tally of tallies) {
    const className = tally.classAddress === null || CLASSLESS.has(tally.type ?? '') ? null : (classNames.get(tally.classAddress) ?? null);
    const key = JSON.stringify([tally.type, className, tally.file, tally.line]);
    const at = named.get(key);
    if (at === undefined) {
      named.set(key, groups.length);
      groupOf.push(groups.length);
      groups.push(toGroup(tally, className));
      continue;
    }
    const existing = groups[at] as HeapGroup;
    existing.count += tally.count;
    existing.memsize += tally.memsize;
    existing.firstOffset = Math.min(existing.firstOffset, tally.firstOffset);
    addSamples(existing.sampleAddresses, tally.samples);
    groupOf.push(at);
  }
  return { groups, groupOf };
}

const SAMPLES = 5;

function addSamples(into: string[], more: readonly string[]): void {
  for (const address of more) if (into.length < SAMPLES) into.push(address);
}

/** `later` comes after `into` in B, so `into` keeps its first-seen values. */
function addTally(into: GroupTally, later: GroupTally): void {
  into.count += later.count;
  into.memsize += later.memsize;
  into.firstOffset = Math.min(into.firstOffset, later.firstOffset);
  into.type ??= later.type;
  into.file ??= later.file;
  into.line ??= later.line;
  addSamples(into.samples, later.samples);
}

function toGroup(tally: SiteTally, className: string | null): HeapGroup {
  return {
    type: tally.type,
    className,
    file: tally.file,
    line: tally.line,
    count: tally.count,
    memsize: tally.memsize,
    vmInternal: tally.type === 'IMEMO',
    firstOffset: tally.firstOffset,
    sampleAddresses: [...tally.samples],
    retainers: null,
  };
}

type GroupOrder = 'count' | 'memsize' | 'heapy';

export interface GroupSelection {
  order: GroupOrder;
  /** Keep groups whose file contains any of these. */
  filters: readonly string[];
  /** Drop groups whose file contains any of these. */
  excludes: readonly string[];
  /** How many groups to show; null shows all. */
  top: number | null;
}

export interface SelectedGroups {
  /** Every group that passes the filters, in order. */
  matching: HeapGroup[];
  /** The first `top` of them. */
  shown: HeapGroup[];
  matchingTotal: { count: number; memsize: number };
  hidden: { groups: number; count: number; memsize: number };
}

export function selectGroups(groups: readonly HeapGroup[], selection: GroupSelection): SelectedGroups {
  const matching = groups.filter((group) => passesFilters(group, selection)).sort(comparator(selection.order));
  const shown = selection.top === null ? matching : matching.slice(0, selection.top);
  const rest = matching.slice(shown.length);
  return {
    matching,
    shown,
    matchingTotal: totals(matching),
    hidden: { groups: rest.length, ...totals(rest) },
  };
}

function passesFilters(group: HeapGroup, selection: GroupSelection): boolean {
  const file = group.file ?? '';
  if (selection.filters.length > 0 && !selection.filters.some((text) => file.includes(text))) return false;
  return !selection.excludes.some((text) => file.includes(text));
}

function totals(groups: readonly HeapGroup[]): { count: number; memsize: number } {
  let count = 0;
  let memsize = 0;
  for (const group of groups) {
    count += group.count;
    memsize += group.memsize;
  }
  return { count, memsize };
}

function comparator(order: GroupOrder): (a: HeapGroup, b: HeapGroup) => number {
  // heapy sorts by count and reverses the list, so among equal counts the group first seen
  // later in B comes first.
  if (order === 'heapy') return (a, b) => b.count - a.count || b.firstOffset - a.firstOffset;
  const primary = order === 'count' ? (a: HeapGroup, b: HeapGroup) => b.count - a.count || b.memsize - a.memsize : (a: HeapGroup, b: HeapGroup) => b.memsize - a.memsize || b.count - a.count;
  return (a, b) => primary(a, b) || compareText(a.file, b.file) || compareLine(a.line, b.line) || compareText(a.type, b.type) || compareText(a.className, b.className);
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function compareLine(a: string | null, b: string | null): number {
  const left = Number(a);
  const right = Number(b);
  if (Number.isFinite(left) && Number.isFinite(right) && left !== right) return left - right;
  return compareText(a, b);
}
