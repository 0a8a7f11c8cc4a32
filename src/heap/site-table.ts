import { ByteArena, type SharedArena, sameBytes } from './byte-arena.js';
import { hasInstanceClass } from './group-index.js';
import { HASH_SEED, finalizeHash, hashBytes, hashWord } from './hash.js';
import type { HeapRecord } from './record.js';
import type { SiteTally } from './groups.js';

/**
 * The allocation sites of `heap summary`: objects and bytes per (type, class, file, line), keyed by
 * the bytes of those four fields. Everything lives in flat typed arrays and one byte arena (no
 * object, string or Buffer per site): a table costs about 60 bytes per site plus the text of its
 * fields, whatever the size of the dump. The main thread takes over the first range's table and
 * merges the others into it without a copy; only the merged sites ever become strings.
 */

/** type, class, file, line: the byte length of each in the arena (-1 when absent). */
const FIELDS = 4;
/** count, memsize, offset of the first object. */
const NUMBER_WORDS = 3;
const INITIAL_SITES = 256;
const ABSENT = 0x9e3779b9;

export interface SharedSiteTable {
  size: number;
  hashes: SharedArrayBuffer;
  /** Where each site's text starts in the arena: its fields follow each other there. */
  starts: SharedArrayBuffer;
  lengths: SharedArrayBuffer;
  numbers: SharedArrayBuffer;
  text: SharedArena;
}

export class SiteTable {
  size: number;
  private hashes: Uint32Array;
  private starts: Float64Array;
  private lengths: Int32Array;
  private numbers: Float64Array;
  private readonly text: ByteArena;
  /** Open addressing: site index + 1 per slot (0 is empty), at most half full. */
  private slots: Int32Array;
  /** The fields of the key being looked up, as start and end in its bytes (-1, -1 when absent). */
  private readonly key = new Float64Array(FIELDS * 2);

  /** A new table, or one that takes over `shared` (a table another thread is done with). */
  constructor(shared?: SharedSiteTable) {
    this.size = shared?.size ?? 0;
    this.hashes = new Uint32Array(shared?.hashes ?? new SharedArrayBuffer(INITIAL_SITES * 4));
    this.starts = new Float64Array(shared?.starts ?? new SharedArrayBuffer(INITIAL_SITES * 8));
    this.lengths = new Int32Array(shared?.lengths ?? new SharedArrayBuffer(INITIAL_SITES * FIELDS * 4));
    this.numbers = new Float64Array(shared?.numbers ?? new SharedArrayBuffer(INITIAL_SITES * NUMBER_WORDS * 8));
    this.text = new ByteArena(shared?.text);
    this.slots = slotsFor(this.hashes, this.size, INITIAL_SITES * 2);
  }

  /** Counts one object in its site (made on first sight, with `offset` as where it was first seen). */
  add(record: HeapRecord, offset: number): void {
    const bytes = record.bytes;
    const key = this.key;
    // A CLASS's `class` is its metaclass, an IMEMO's a defining class: not the site's class.
    const classStart = hasInstanceClass(record) ? record.classStart : -1;
    setSpan(key, 0, record.typeStart, record.typeEnd);
    setSpan(key, 2, classStart, record.classEnd);
    setSpan(key, 4, record.fileStart, record.fileEnd);
    setSpan(key, 6, record.lineStart, record.lineEnd);
    let hash = mix(HASH_SEED, bytes, record.typeStart, record.typeEnd);
    hash = mix(hash, bytes, classStart, record.classEnd);
    // The parser hashed the file name while it read it.
    hash = record.fileStart < 0 ? hashWord(hash, ABSENT) : hashWord(hash ^ record.fileHash, record.fileEnd - record.fileStart);
    hash = finalizeHash(mix(hash, bytes, record.lineStart, record.lineEnd));
    const at = this.siteOf(hash, bytes, key, offset) * NUMBER_WORDS;
    const numbers = this.numbers;
    numbers[at] = (numbers[at] as number) + 1;
    numbers[at + 1] = (numbers[at + 1] as number) + record.memsize;
  }

  /** Adds the sites of another table (a later range of the same dump). */
  merge(shared: SharedSiteTable): void {
    const hashes = new Uint32Array(shared.hashes);
    const starts = new Float64Array(shared.starts);
    const lengths = new Int32Array(shared.lengths);
    const numbers = new Float64Array(shared.numbers);
    const bytes = new Uint8Array(shared.text.buffer);
    const key = this.key;
    for (let from = 0; from < shared.size; from += 1) {
      let position = starts[from] as number;
      for (let field = 0; field < FIELDS; field += 1) {
        const length = lengths[from * FIELDS + field] as number;
        setSpan(key, field * 2, length < 0 ? -1 : position, position + length);
        if (length > 0) position += length;
      }
      const at = from * NUMBER_WORDS;
      const to = this.siteOf(hashes[from] as number, bytes, key, numbers[at + 2] as number) * NUMBER_WORDS;
      const into = this.numbers;
      into[to] = (into[to] as number) + (numbers[at] as number);
      into[to + 1] = (into[to + 1] as number) + (numbers[at + 1] as number);
      into[to + 2] = Math.min(into[to + 2] as number, numbers[at + 2] as number);
    }
  }

  toShared(): SharedSiteTable {
    return {
      size: this.size,
      hashes: this.hashes.buffer as SharedArrayBuffer,
      starts: this.starts.buffer as SharedArrayBuffer,
      lengths: this.lengths.buffer as SharedArrayBuffer,
      numbers: this.numbers.buffer as SharedArrayBuffer,
      text: this.text.toShared(),
    };
  }

  /** The class addresses the sites name (latin1, as `classText` reads them). */
  classAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (let site = 0; site < this.size; site += 1) {
      const address = this.field(site, 1, 'latin1');
      if (address !== null) addresses.add(address);
    }
    return addresses;
  }

  /** The sites, in the order they were first seen, each made when asked for (and then dropped). */
  *tallies(): Generator<SiteTally> {
    for (let site = 0; site < this.size; site += 1) {
      const at = site * NUMBER_WORDS;
      yield {
        type: this.field(site, 0, 'utf8'),
        classAddress: this.field(site, 1, 'latin1'),
        file: this.field(site, 2, 'utf8'),
        line: this.field(site, 3, 'utf8'),
        count: this.numbers[at] as number,
        memsize: this.numbers[at + 1] as number,
        firstOffset: this.numbers[at + 2] as number,
        samples: [],
      };
    }
  }

  private field(site: number, field: number, encoding: 'utf8' | 'latin1'): string | null {
    const length = this.lengths[site * FIELDS + field] as number;
    if (length < 0) return null;
    let start = this.starts[site] as number;
    for (let before = 0; before < field; before += 1) start += Math.max(0, this.lengths[site * FIELDS + before] as number);
    return this.text.text(start, start + length, encoding);
  }

  /** The site whose fields (spans `key` into `bytes`) are these, made if new. */
  private siteOf(hash: number, bytes: Uint8Array, key: Float64Array, offset: number): number {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const site = (this.slots[slot] as number) - 1;
      if (site < 0) break;
      if (this.hashes[site] === hash && this.sameKey(site, bytes, key)) return site;
      slot = (slot + 1) & mask;
    }
    const site = this.size;
    if (site === this.hashes.length) this.growSites();
    this.hashes[site] = hash;
    this.starts[site] = this.text.used;
    for (let field = 0; field < FIELDS; field += 1) {
      const start = key[field * 2] as number;
      const end = key[field * 2 + 1] as number;
      if (start >= 0) this.text.append(bytes, start, end);
      this.lengths[site * FIELDS + field] = start < 0 ? -1 : end - start;
    }
    const at = site * NUMBER_WORDS;
    this.numbers[at] = 0;
    this.numbers[at + 1] = 0;
    this.numbers[at + 2] = offset;
    this.slots[slot] = site + 1;
    this.size += 1;
    if (this.size * 2 > this.slots.length) this.slots = slotsFor(this.hashes, this.size, this.slots.length * 2);
    return site;
  }

  private sameKey(site: number, bytes: Uint8Array, key: Float64Array): boolean {
    const text = this.text.bytes;
    let stored = this.starts[site] as number;
    for (let field = 0; field < FIELDS; field += 1) {
      const length = this.lengths[site * FIELDS + field] as number;
      const start = key[field * 2] as number;
      if (length < 0 || start < 0) {
        if (length >= 0 || start >= 0) return false;
        continue;
      }
      if (!sameBytes(text, stored, stored + length, bytes, start, key[field * 2 + 1] as number)) return false;
      stored += length;
    }
    return true;
  }

  private growSites(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = grown(this.hashes, new Uint32Array(new SharedArrayBuffer(capacity * 4)));
    this.starts = grown(this.starts, new Float64Array(new SharedArrayBuffer(capacity * 8)));
    this.lengths = grown(this.lengths, new Int32Array(new SharedArrayBuffer(capacity * FIELDS * 4)));
    this.numbers = grown(this.numbers, new Float64Array(new SharedArrayBuffer(capacity * NUMBER_WORDS * 8)));
  }
}

/** The slots of `size` sites, in a table of at least `minimum` slots that stays at most half full. */
function slotsFor(hashes: Uint32Array, size: number, minimum: number): Int32Array {
  let length = minimum;
  while (length < size * 2) length *= 2;
  const slots = new Int32Array(length);
  const mask = length - 1;
  for (let site = 0; site < size; site += 1) {
    let slot = (hashes[site] as number) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = site + 1;
  }
  return slots;
}

function setSpan(key: Float64Array, at: number, start: number, end: number): void {
  key[at] = start < 0 ? -1 : start;
  key[at + 1] = start < 0 ? -1 : end;
}

function mix(hash: number, bytes: Uint8Array, start: number, end: number): number {
  if (start < 0) return hashWord(hash, ABSENT);
  return hashWord(hashBytes(bytes, start, end, hash), end - start);
}

function grown<T extends Uint32Array | Int32Array | Float64Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
