/**
 * Collects the samples of one series as a parser finds them, in typed arrays that grow by
 * doubling (a million samples are a few dozen MiB, never a million objects), then sorts them by
 * time and finds where the process identity changed. Pure.
 */
import type { GcColumns, Series, TrendFormat } from './types.js';

class Column {
  private data = new Float64Array(256);
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
  private readonly requests = new Column();
  private readonly oldObjects = new Column();
  private readonly heapLiveSlots = new Column();
  private readonly counters: Column[] = [];
  private readonly identities: number[] = [];
  private readonly identityNames = new Map<string, number>();
  private seen = { requests: false, oldObjects: false, heapLiveSlots: false, identity: false };
  quotaMiB: number | null = null;

  constructor(
    readonly file: string,
    readonly key: string | null,
    readonly format: TrendFormat,
  ) {}

  get length(): number {
    return this.mib.length;
  }

  push(x: number, mib: number, extras: SampleExtras = {}): void {
    this.x.push(x);
    this.mib.push(mib);
    this.requests.push(extras.requests ?? NaN);
    this.oldObjects.push(extras.oldObjects ?? NaN);
    this.heapLiveSlots.push(extras.heapLiveSlots ?? NaN);
    if (extras.requests !== undefined) this.seen.requests = true;
    if (extras.oldObjects !== undefined) this.seen.oldObjects = true;
    if (extras.heapLiveSlots !== undefined) this.seen.heapLiveSlots = true;
    const counters = extras.counters ?? [];
    while (this.counters.length < counters.length) {
      const column = new Column();
      for (let i = 0; i < this.mib.length - 1; i++) column.push(NaN);
      this.counters.push(column);
    }
    this.counters.forEach((column, i) => column.push(counters[i] ?? NaN));
    if (extras.identity !== undefined) {
      this.seen.identity = true;
      let id = this.identityNames.get(extras.identity);
      if (id === undefined) {
        id = this.identityNames.size;
        this.identityNames.set(extras.identity, id);
      }
      this.identities.push(id);
    } else {
      this.identities.push(-1);
    }
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
      this.seen.oldObjects || this.seen.heapLiveSlots
        ? { oldObjects: this.seen.oldObjects ? arrange(this.oldObjects.values()) : null, heapLiveSlots: this.seen.heapLiveSlots ? arrange(this.heapLiveSlots.values()) : null }
        : null;
    const counters = this.counters.map((column) => arrange(column.values()));
    const identities = order === null ? this.identities : Array.from(order, (i) => this.identities[i]!);
    return {
      name: this.key === null ? this.file : `${this.file} ${this.key}`,
      file: this.file,
      key: this.key,
      format: this.format,
      timeUnit,
      x,
      mib: arrange(this.mib.values()),
      startEpoch: epoch,
      requests: this.seen.requests ? arrange(this.requests.values()) : null,
      gc,
      identityBreaks: identityBreaks(counters, this.seen.identity ? identities : null),
      quotaMiB: this.quotaMiB,
      outOfOrder,
    };
  }
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
