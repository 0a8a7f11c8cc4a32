/**
 * `heap grow`: the containers still growing after k dumps, keyed like KeyTable (address low, high,
 * identity tag) with two values: the container's size in the first dump and in the latest one.
 * Five 32-bit words per slot in a SharedArrayBuffer, so the next dump's readers (threads) share it.
 */

const WORDS = 5;
const MAX_LOAD = 0.6;

export interface SharedGrowTable {
  buffer: SharedArrayBuffer;
  capacity: number;
  size: number;
}

export class GrowTable {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expected = 0) {
    let capacity = 1024;
    while (capacity * MAX_LOAD < expected) capacity *= 2;
    this.slots = new Uint32Array(new SharedArrayBuffer(capacity * WORDS * 4));
    this.mask = capacity - 1;
  }

  static fromShared(shared: SharedGrowTable): GrowTable {
    const table = Object.create(GrowTable.prototype) as GrowTable;
    table.slots = new Uint32Array(shared.buffer);
    table.mask = shared.capacity - 1;
    table.size = shared.size;
    return table;
  }

  toShared(): SharedGrowTable {
    return { buffer: this.slots.buffer as SharedArrayBuffer, capacity: this.mask + 1, size: this.size };
  }

  set(lo: number, hi: number, tag: number, first: number, last: number): void {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const slots = this.slots;
    let slot = slotOf(lo, hi, this.mask);
    for (;;) {
      const base = slot * WORDS;
      if (slots[base + 2] === 0) {
        slots[base] = lo;
        slots[base + 1] = hi;
        slots[base + 2] = tag;
        this.size += 1;
      }
      if (slots[base + 2] === tag && slots[base] === lo && slots[base + 1] === hi) {
        slots[base + 3] = first;
        slots[base + 4] = last;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The slot's base index of a key, or -1. */
  find(lo: number, hi: number, tag: number): number {
    const slots = this.slots;
    let slot = slotOf(lo, hi, this.mask);
    for (;;) {
      const base = slot * WORDS;
      const existing = slots[base + 2] as number;
      if (existing === 0) return -1;
      if (existing === tag && slots[base] === lo && slots[base + 1] === hi) return base;
      slot = (slot + 1) & this.mask;
    }
  }

  first(base: number): number {
    return this.slots[base + 3] as number;
  }

  last(base: number): number {
    return this.slots[base + 4] as number;
  }

  /** Every entry as [lo, hi, tag, first, last]. */
  *entries(): Generator<[number, number, number, number, number]> {
    const slots = this.slots;
    for (let base = 0; base < slots.length; base += WORDS) {
      if (slots[base + 2] !== 0) yield [slots[base] as number, slots[base + 1] as number, slots[base + 2] as number, slots[base + 3] as number, slots[base + 4] as number];
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(new SharedArrayBuffer(capacity * WORDS * 4));
    this.mask = capacity - 1;
    this.size = 0;
    for (let base = 0; base < old.length; base += WORDS) {
      const tag = old[base + 2] as number;
      if (tag !== 0) this.set(old[base] as number, old[base + 1] as number, tag, old[base + 3] as number, old[base + 4] as number);
    }
  }
}

function slotOf(lo: number, hi: number, mask: number): number {
  return Math.imul((lo >>> 3) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) & mask;
}
