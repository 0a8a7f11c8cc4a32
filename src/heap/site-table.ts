import { ByteArena, type SharedArena, sameBytes } from './byte-arena.js';
import { hasInstanceClass } from './group-index.js';
import { HASH_SEED, finalizeHash, hashBytes, hashWord } from './hash.js';
import type { HeapRecord } from './record.js';
import type { SiteTally } from './groups.js';

/**
 * The allocation sites of `heap summary`: objects and bytes per (type, class, file, line), keyed by
 * the bytes of those four fields. Everything lives in flat typed arrays and one byte arena (no
 * object, string or Buffer per site), so a thread's table costs about 150 bytes per site plus the
 * text of its fields, whatever the size of the dump, and the main thread merges the tables of all
 * ranges without a copy; only the merged sites ever become strings.
 */

/** type, class, file, line: a start and an end in the arena each (-1, -1 when absent). */
const SPAN_WORDS = 8;
/** count, memsize, offset of the first object. */
const NUMBER_WORDS = 3;
const INITIAL_SITES = 256;
const ABSENT = 0x9e3779b9;

export interface SharedSiteTable {
  size: number;
  hashes: SharedArrayBuffer;
  spans: SharedArrayBuffer;
  numbers: SharedArrayBuffer;
  text: SharedArena;
}

export class SiteTable {
  size = 0;
  private hashes = new Uint32Array(new SharedArrayBuffer(INITIAL_SITES * 4));
  private spans = new Float64Array(new SharedArrayBuffer(INITIAL_SITES * SPAN_WORDS * 8));
  private numbers = new Float64Array(new SharedArrayBuffer(INITIAL_SITES * NUMBER_WORDS * 8));
  private readonly text = new ByteArena();
  /** Open addressing: site index + 1 per slot (0 is empty), at most half full. */
  private slots = new Int32Array(INITIAL_SITES * 2);
  /** The spans of the key being looked up, reused for every object. */
  private readonly key = new Float64Array(SPAN_WORDS);

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
    const spans = new Float64Array(shared.spans);
    const numbers = new Float64Array(shared.numbers);
    const bytes = new Uint8Array(shared.text.buffer);
    const key = this.key;
    for (let from = 0; from < shared.size; from += 1) {
      for (let word = 0; word < SPAN_WORDS; word += 1) key[word] = spans[from * SPAN_WORDS + word] as number;
      const at = from * NUMBER_WORDS;
      const site = this.siteOf(hashes[from] as number, bytes, key, numbers[at + 2] as number);
      const to = site * NUMBER_WORDS;
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
      spans: this.spans.buffer as SharedArrayBuffer,
      numbers: this.numbers.buffer as SharedArrayBuffer,
      text: this.text.toShared(),
    };
  }

  /** The class addresses the sites name (latin1, as `classText` reads them). */
  classAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (let site = 0; site < this.size; site += 1) {
      const address = this.field(site, 2, 'latin1');
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
        classAddress: this.field(site, 2, 'latin1'),
        file: this.field(site, 4, 'utf8'),
        line: this.field(site, 6, 'utf8'),
        count: this.numbers[at] as number,
        memsize: this.numbers[at + 1] as number,
        firstOffset: this.numbers[at + 2] as number,
        samples: [],
      };
    }
  }

  private field(site: number, word: number, encoding: 'utf8' | 'latin1'): string | null {
    const start = this.spans[site * SPAN_WORDS + word] as number;
    return start < 0 ? null : this.text.text(start, this.spans[site * SPAN_WORDS + word + 1] as number, encoding);
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
    for (let word = 0; word < SPAN_WORDS; word += 2) {
      const start = key[word] as number;
      const at = site * SPAN_WORDS + word;
      if (start < 0) {
        this.spans[at] = -1;
        this.spans[at + 1] = -1;
      } else {
        const end = key[word + 1] as number;
        const copied = this.text.append(bytes, start, end);
        this.spans[at] = copied;
        this.spans[at + 1] = copied + end - start;
      }
    }
    this.numbers[site * NUMBER_WORDS + 2] = offset;
    this.slots[slot] = site + 1;
    this.size += 1;
    if (this.size * 2 > this.slots.length) this.growSlots();
    return site;
  }

  private sameKey(site: number, bytes: Uint8Array, key: Float64Array): boolean {
    const spans = this.spans;
    const text = this.text.bytes;
    for (let word = 0; word < SPAN_WORDS; word += 2) {
      const start = key[word] as number;
      const storedStart = spans[site * SPAN_WORDS + word] as number;
      if (start < 0 || storedStart < 0) {
        if (start !== storedStart) return false;
      } else if (!sameBytes(text, storedStart, spans[site * SPAN_WORDS + word + 1] as number, bytes, start, key[word + 1] as number)) {
        return false;
      }
    }
    return true;
  }

  private growSites(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = grown(this.hashes, new Uint32Array(new SharedArrayBuffer(capacity * 4)));
    this.spans = grown(this.spans, new Float64Array(new SharedArrayBuffer(capacity * SPAN_WORDS * 8)));
    this.numbers = grown(this.numbers, new Float64Array(new SharedArrayBuffer(capacity * NUMBER_WORDS * 8)));
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let site = 0; site < this.size; site += 1) {
      let slot = (this.hashes[site] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = site + 1;
    }
    this.slots = slots;
  }
}

function setSpan(key: Float64Array, word: number, start: number, end: number): void {
  key[word] = start < 0 ? -1 : start;
  key[word + 1] = start < 0 ? -1 : end;
}

function mix(hash: number, bytes: Uint8Array, start: number, end: number): number {
  if (start < 0) return hashWord(hash, ABSENT);
  return hashWord(hashBytes(bytes, start, end, hash), end - start);
}

function grown<T extends Uint32Array | Float64Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
