/**
 * Collects the samples of one series as a parser finds them, in typed arrays that grow by
 * doubling (a million samples are a few dozen MiB, never a million objects), then sorts them by
 * time and finds where the process identity changed. Pure.
 */
import type { GcColumns, Series, TrendFormat } from './types.js';

class Column {
  private data = new Float64Array(16);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export interface SampleExtras {
  requests?: number;
  oldObjects?: number;
  heapLiveSlots?: number;
  /** Counters that only grow within one process's life (GC `count`, `total_allocated_objects`). */
  counters?: readonly number[];
  /** A process identity (Heroku `dyno=` id, a `pid` column). */
  identity?: string;
}

export class SeriesBuilder {
  private readonly x = new Column();
  private readonly mib = new Column();
  // Optional columns exist only once a sample has the value (earlier samples read NaN): a plain
  // column of numbers, a million of them, pays for two pushes per sample and no more.
  private requests: Column | null = null;
  private oldObjects: Column | null = null;
  private heapLiveSlots: Column | null = null;
  private readonly counters: Column[] = [];
  private identities: number[] | null = null;
  private readonly identityNames = new Map<string, number>();
  quotaMiB: number | null = null;

  constructor(
    readonly file: string,
    readonly key: string | null,
    readonly format: TrendFormat,
  ) {}

  get length(): number {
    return this.mib.length;
  }

  push(x: number, mib: number, extras?: SampleExtras): void {
    const index = this.mib.length;
    this.x.push(x);
    this.mib.push(mib);
    if (extras === undefined && this.requests === null && this.oldObjects === null && this.heapLiveSlots === null && this.counters.length === 0 && this.identities === null) return;
    this.requests = pushOptional(this.requests, extras?.requests, index);
    this.oldObjects = pushOptional(this.oldObjects, extras?.oldObjects, index);
    this.heapLiveSlots = pushOptional(this.heapLiveSlots, extras?.heapLiveSlots, index);
    const counters = extras?.counters ?? [];
    for (let i = 0; i < Math.max(counters.length, this.counters.length); i++) {
      this.counters[i] = pushOptional(this.counters[i] ?? null, counters[i], index)!;
    }
    const identity = extras?.identity;
    if (identity === undefined) {
      this.identities?.push(-1);
      return;
    }
    this.identities ??= Array<number>(index).fill(-1);
    let id = this.identityNames.get(identity);
    if (id === undefined) {
      id = this.identityNames.size;
      this.identityNames.set(identity, id);
    }
    this.identities.push(id);
  }

  /** The finished series: sorted by time, x counted from the first sample. */
  build(timeUnit: Series['timeUnit'], startEpoch: number | null): Series {
    let x = this.x.values();
    const order = sortOrder(x);
    const outOfOrder = order === null ? 0 : countOutOfOrder(x);
    const arrange = (values: Float64Array) => (order === null ? values : permute(values, order));
    x = arrange(x);
    const first = x.length > 0 ? x[0]! : 0;
    const epoch = startEpoch ?? (timeUnit === 'seconds' && first > 1e8 ? first : null);
    if (first !== 0) for (let i = 0; i < x.length; i++) x[i] = x[i]! - first;
    const gc: GcColumns | null =
      this.oldObjects !== null || this.heapLiveSlots !== null
        ? { oldObjects: this.oldObjects === null ? null : arrange(this.oldObjects.values()), heapLiveSlots: this.heapLiveSlots === null ? null : arrange(this.heapLiveSlots.values()) }
        : null;
    const counters = this.counters.map((column) => arrange(column.values()));
    const own = this.identities;
    const identities = own === null ? null : order === null ? own : Array.from(order, (i) => own[i]!);
    return {
      name: this.key === null ? this.file : `${this.file} ${this.key}`,
      file: this.file,
      key: this.key,
      format: this.format,
      timeUnit,
      x,
      mib: arrange(this.mib.values()),
      startEpoch: epoch,
      requests: this.requests === null ? null : arrange(this.requests.values()),
      gc,
      identityBreaks: identityBreaks(counters, identities),
      quotaMiB: this.quotaMiB,
      outOfOrder,
    };
  }
}

/** A new optional column, NaN for the samples before it appeared. */
function backfilled(count: number): Column {
  const column = new Column();
  for (let i = 0; i < count; i++) column.push(NaN);
  return column;
}

/** Appends to an optional column, creating it (NaN-filled) when a first value comes. */
function pushOptional(column: Column | null, value: number | undefined, index: number): Column | null {
  if (column === null) {
    if (value === undefined) return null;
    column = backfilled(index);
  }
  column.push(value ?? NaN);
  return column;
}

/** The permutation that sorts x (stable), or null when it is already in order. */
function sortOrder(x: Float64Array): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i]! < x[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return null;
  const order = Uint32Array.from({ length: x.length }, (_, i) => i);
  order.sort((a, b) => x[a]! - x[b]! || a - b);
  return order;
}

function countOutOfOrder(x: Float64Array): number {
  let count = 0;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < max) count++;
    else max = x[i]!;
  }
  return count;
}

function permute(values: Float64Array, order: Uint32Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]!]!;
  return out;
}

/** Indexes where a counter went backwards or the identity changed: a new process began there. */
function identityBreaks(counters: Float64Array[], identities: number[] | null): number[] {
  const breaks = new Set<number>();
  for (const column of counters) {
    let previous = NaN;
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (Number.isNaN(value)) continue;
      if (value < previous) breaks.add(i);
      previous = value;
    }
  }
  if (identities !== null) {
    for (let i = 1; i < identities.length; i++) {
      if (identities[i]! >= 0 && identities[i - 1]! >= 0 && identities[i] !== identities[i - 1]) breaks.add(i);
    }
  }
  return [...breaks].sort((a, b) => a - b);
}
