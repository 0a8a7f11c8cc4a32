import { HASH_SEED, hashBytes, hashWord } from './hash.js';
import { type HeapRecord, rangeEquals } from './record.js';
import type { GroupTally } from './scan-jobs.js';

/**
 * Types whose `class` member is not the class of an instance: an IMEMO's is the class a method was
 * defined in, a CLASS's is its metaclass. Grouping them by it would split one site into many.
 */
export const CLASSLESS_TYPES = ['IMEMO', 'CLASS', 'MODULE', 'ICLASS', 'ROOT', 'NODE'];
const CLASSLESS_BYTES = CLASSLESS_TYPES.map((type) => Buffer.from(type));

export function hasInstanceClass(record: HeapRecord): boolean {
  if (record.classStart < 0 || record.typeStart < 0) return false;
  for (const type of CLASSLESS_BYTES) if (rangeEquals(record.bytes, record.typeStart, record.typeEnd, type)) return false;
  return true;
}

/**
 * Finds the group of an object (type, class, file, line) from the bytes of its line, making strings
 * only when a group is first seen. A summary groups every object of a dump and a 2-way diff every
 * new one, so building four strings per object would cost more than reading the line did.
 */
export class GroupIndex {
  private readonly buckets = new Map<number, Entry[]>();
  readonly tallies: GroupTally[] = [];

  /**
   * The group of `record` (created on first sight, with `offset` as where it was first seen):
   * by type, class, file and line, or by type alone (`typeOnly`).
   */
  find(record: HeapRecord, typeOnly: boolean, offset: number): GroupTally {
    const bytes = record.bytes;
    const classStart = typeOnly || !hasInstanceClass(record) ? -1 : record.classStart;
    const fileStart = typeOnly ? -1 : record.fileStart;
    const lineStart = typeOnly ? -1 : record.lineStart;
    let hash = HASH_SEED;
    hash = mix(hash, bytes, record.typeStart, record.typeEnd);
    hash = mix(hash, bytes, classStart, record.classEnd);
    hash = fileStart < 0 ? hashWord(hash, ABSENT) : hashWord(hash ^ record.fileHash, record.fileEnd - fileStart);
    hash = mix(hash, bytes, lineStart, record.lineEnd);
    // 30 bits keep the key a small integer, which a Map hashes without boxing it.
    hash &= 0x3fffffff;
    const bucket = this.buckets.get(hash);
    if (bucket !== undefined) {
      for (const entry of bucket) {
        if (
          same(entry.type, bytes, record.typeStart, record.typeEnd) &&
          same(entry.classAddress, bytes, classStart, record.classEnd) &&
          same(entry.file, bytes, fileStart, record.fileEnd) &&
          same(entry.line, bytes, lineStart, record.lineEnd)
        ) {
          return entry.tally;
        }
      }
    }
    const entry = newEntry(record, { classStart, fileStart, lineStart }, offset, this.tallies.length);
    if (bucket === undefined) this.buckets.set(hash, [entry]);
    else bucket.push(entry);
    this.tallies.push(entry.tally);
    return entry.tally;
  }
}

interface Entry {
  type: Buffer | null;
  classAddress: Buffer | null;
  file: Buffer | null;
  line: Buffer | null;
  tally: GroupTally;
}

const ABSENT = 0x9e3779b9;

function mix(hash: number, bytes: Uint8Array, start: number, end: number): number {
  if (start < 0) return hashWord(hash, ABSENT);
  return hashWord(hashBytes(bytes, start, end, hash), end - start);
}

function same(stored: Buffer | null, bytes: Uint8Array, start: number, end: number): boolean {
  if (stored === null || start < 0) return stored === null && start < 0;
  if (stored.length !== end - start) return false;
  for (let i = 0; i < stored.length; i += 1) if (stored[i] !== bytes[start + i]) return false;
  return true;
}

function copy(bytes: Buffer, start: number, end: number): Buffer | null {
  return start < 0 ? null : Buffer.from(bytes.subarray(start, end));
}

function newEntry(record: HeapRecord, starts: { classStart: number; fileStart: number; lineStart: number }, offset: number, index: number): Entry {
  const bytes = record.bytes;
  const type = record.typeText();
  const classAddress = starts.classStart < 0 ? null : record.classText();
  const file = starts.fileStart < 0 ? null : record.fileText();
  const line = starts.lineStart < 0 ? null : record.lineText();
  return {
    type: copy(bytes, record.typeStart, record.typeEnd),
    classAddress: copy(bytes, starts.classStart, record.classEnd),
    file: copy(bytes, starts.fileStart, record.fileEnd),
    line: copy(bytes, starts.lineStart, record.lineEnd),
    tally: {
      key: JSON.stringify([type, classAddress, file, line]),
      index,
      type,
      classAddress,
      file,
      line,
      count: 0,
      memsize: 0,
      firstOffset: offset,
      samples: [],
    },
  };
}
