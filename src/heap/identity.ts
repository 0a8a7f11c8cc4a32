import { HASH_SEED, finalizeHash, hashBytes, hashWord } from './hash.js';
import type { HeapRecord } from './record.js';

/**
 * How objects of different dumps are matched.
 * - `strict`: same address AND same birth record (type, allocation file, line, GC generation, as
 *   far as the dump has them). A slot that Ruby freed and reused for a new object then holds a
 *   different object, which is the truth.
 * - `address`: the address alone, as heapy does: a reused slot passes for the old object.
 */
export type Identity = 'strict' | 'address';

const ADDRESS_ONLY_TAG = 1;
const ABSENT = 0x9e3779b9;

/** The third word of an object's key (see KeyTable): never 0. */
export function identityTag(record: HeapRecord, identity: Identity): number {
  if (identity === 'address') return ADDRESS_ONLY_TAG;
  const bytes = record.bytes;
  let hash = HASH_SEED;
  hash = mixField(hash, bytes, record.typeStart, record.typeEnd);
  hash = record.fileStart < 0 ? hashWord(hash, ABSENT) : hashWord(hash ^ record.fileHash, record.fileEnd - record.fileStart);
  hash = mixField(hash, bytes, record.lineStart, record.lineEnd);
  hash = mixField(hash, bytes, record.genStart, record.genEnd);
  return (finalizeHash(hash) | 0x80000000) >>> 0;
}

function mixField(hash: number, bytes: Uint8Array, start: number, end: number): number {
  if (start < 0) return hashWord(hash, ABSENT);
  return hashWord(hashBytes(bytes, start, end, hash), end - start);
}

/** The address as Ruby prints it (`0x7f…`), to match it against `class` members. */
export function addressText(record: HeapRecord): string {
  return addressTextOf(record.addrLo, record.addrHi);
}

export function addressTextOf(addrLo: number, addrHi: number): string {
  const low = addrLo.toString(16);
  return addrHi === 0 ? `0x${low}` : `0x${addrHi.toString(16)}${low.padStart(8, '0')}`;
}
