/**
 * The set of object identities seen in one dump (or one byte range of it), stored as an
 * open-addressing hash table of three 32-bit words per slot in a SharedArrayBuffer: 12 bytes per
 * slot, no per-entry objects, and shareable with other worker threads without copying.
 *
 * A key is (address low 32 bits, address high 32 bits, tag). The tag is 1 for address-only
 * identity, or a 31-bit hash of the allocation record with the top bit set for strict identity; it
 * is never 0, which marks an empty slot.
 */

const WORDS_PER_SLOT = 3;
const MIN_CAPACITY = 1 << 10;
/** Grow past this load factor: linear probing stays short below it. */
const MAX_LOAD = 0.6;

export interface SharedKeyTable {
  buffer: SharedArrayBuffer;
  capacity: number;
  size: number;
  /** heapy treats "no address" as a value of its own; only the heapy-compatible mode records it. */
  hasMissingAddress: boolean;
}

export class KeyTable {
  private slots: Uint32Array;
  private buffer: SharedArrayBuffer;
  private mask: number;
  size: number;
  hasMissingAddress: boolean;

  constructor(expectedKeys = 0) {
    const capacity = capacityFor(expectedKeys);
    this.buffer = new SharedArrayBuffer(capacity * WORDS_PER_SLOT * 4);
    this.slots = new Uint32Array(this.buffer);
    this.mask = capacity - 1;
    this.size = 0;
    this.hasMissingAddress = false;
  }

  static fromShared(shared: SharedKeyTable): KeyTable {
    const table = Object.create(KeyTable.prototype) as KeyTable;
    table.buffer = shared.buffer;
    table.slots = new Uint32Array(shared.buffer);
    table.mask = shared.capacity - 1;
    table.size = shared.size;
    table.hasMissingAddress = shared.hasMissingAddress;
    return table;
  }

  toShared(): SharedKeyTable {
    return { buffer: this.buffer, capacity: this.mask + 1, size: this.size, hasMissingAddress: this.hasMissingAddress };
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Adds a key; a key already present is left alone (and false is returned). */
  add(k1: number, k2: number, tag: number): boolean {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const slots = this.slots;
    let slot = this.slotOf(k1, k2);
    for (;;) {
      const base = slot * WORDS_PER_SLOT;
      const existing = slots[base + 2] as number;
      if (existing === 0) {
        slots[base] = k1;
        slots[base + 1] = k2;
        slots[base + 2] = tag;
        this.size += 1;
        return true;
      }
      if (existing === tag && slots[base] === k1 && slots[base + 1] === k2) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  has(k1: number, k2: number, tag: number): boolean {
    const slots = this.slots;
    let slot = this.slotOf(k1, k2);
    for (;;) {
      const base = slot * WORDS_PER_SLOT;
      const existing = slots[base + 2] as number;
      if (existing === 0) return false;
      if (existing === tag && slots[base] === k1 && slots[base + 1] === k2) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Objects of one 64 KiB heap page get neighbouring slots: dumps list objects page by page, so
   * inserts and look-ups walk the table almost sequentially instead of missing the cache (and the
   * TLB) on every object. Pages are spread by a multiplicative hash of their number.
   */
  private slotOf(k1: number, k2: number): number {
    const page = Math.imul((k1 >>> 16) ^ Math.imul(k2, 0x85ebca6b), 0x9e3779b1);
    return (page + ((k1 & 0xffff) >>> 3)) & this.mask;
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.buffer = new SharedArrayBuffer(capacity * WORDS_PER_SLOT * 4);
    this.slots = new Uint32Array(this.buffer);
    this.mask = capacity - 1;
    this.size = 0;
    for (let base = 0; base < old.length; base += WORDS_PER_SLOT) {
      const tag = old[base + 2] as number;
      if (tag !== 0) this.add(old[base] as number, old[base + 1] as number, tag);
    }
  }
}

/** True when any of the tables (one per byte range of a dump) holds the key. */
export function anyHas(tables: readonly KeyTable[], k1: number, k2: number, tag: number): boolean {
  for (const table of tables) if (table.has(k1, k2, tag)) return true;
  return false;
}

function capacityFor(expectedKeys: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity * MAX_LOAD < expectedKeys) capacity *= 2;
  return capacity;
}
