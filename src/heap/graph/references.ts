import { HASH_SEED, finalizeHash, hashBytes } from '../hash.js';
import type { HeapRecord } from '../record.js';

/**
 * The outgoing edges of one dump line: the `references` array, which objspace_dump.c writes as the
 * last type-specific member, right before the allocation record (`file`, `line`…) and `memsize`.
 * The line parser's fast path leaves `tailFrom` on the byte before that record, so the array is
 * found by stepping back over it, never by walking string values that may be megabytes long.
 */

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const REFERENCES_KEY = Buffer.from('"references":');

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i += 1) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i += 1) HEX[0x61 + i] = 10 + i;

/** Receives each reference as the two 32-bit halves of its address (see addressWords). */
export type ReferenceSink = (lo: number, hi: number) => void;

/**
 * Calls `sink` for every address in the record's `references`. Returns false when the line holds
 * references in a form the byte scan does not take (the caller then has none for it, and counts it).
 */
export function forEachReference(record: HeapRecord, sink: ReferenceSink): boolean {
  if (record.parsed !== null) return referencesFromObject(record.parsed, sink);
  const b = record.bytes;
  const close = record.tailFrom;
  if (close < 0 || b[close] !== CLOSE_BRACKET) return true;
  const open = b.lastIndexOf(OPEN_BRACKET, close);
  const keyStart = open - REFERENCES_KEY.length;
  if (open < 0 || keyStart < record.headFrom) return false;
  for (let i = 0; i < REFERENCES_KEY.length; i += 1) if (b[keyStart + i] !== REFERENCES_KEY[i]) return false;
  let p = open + 1;
  while (p < close) {
    if (b[p] !== QUOTE || b[p + 1] !== 0x30 || b[p + 2] !== 0x78) return false;
    let lo = 0;
    let hi = 0;
    let q = p + 3;
    for (;;) {
      const digit = HEX[b[q] as number] as number;
      if (digit < 0) break;
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | digit) >>> 0;
      q += 1;
    }
    const digits = q - p - 3;
    if (b[q] !== QUOTE || digits === 0 || digits > 16 || (digits > 1 && b[p + 3] === 0x30)) return false;
    sink(lo, hi);
    p = q + 1;
    if (p < close) {
      if (b[p] !== COMMA || b[p + 1] !== SPACE) return false;
      p += 2;
    }
  }
  return true;
}

function referencesFromObject(object: Record<string, unknown>, sink: ReferenceSink): boolean {
  const references = object.references;
  if (references === undefined) return true;
  if (!Array.isArray(references)) return false;
  const words = new Uint32Array(2);
  for (const reference of references) {
    addressWords(reference, words);
    sink(words[0] as number, words[1] as number);
  }
  return true;
}

const CANONICAL_ADDRESS = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/;

/**
 * An address as two 32-bit words, the same way the line parser keys objects: Ruby's spelling
 * (`0x7f…`) by value, any other spelling by a hash of its JSON text with the top bit set.
 */
export function addressWords(address: unknown, into: Uint32Array): void {
  if (typeof address === 'string' && CANONICAL_ADDRESS.test(address)) {
    const digits = address.slice(2);
    const lowDigits = digits.slice(-8);
    const highDigits = digits.slice(0, -8);
    into[0] = Number.parseInt(lowDigits, 16) >>> 0;
    into[1] = highDigits === '' ? 0 : Number.parseInt(highDigits, 16) >>> 0;
    return;
  }
  const token = Buffer.from(JSON.stringify(address) ?? 'null');
  into[0] = finalizeHash(hashBytes(token, 0, token.length, HASH_SEED));
  into[1] = (finalizeHash(hashBytes(token, 0, token.length, 0x9747b28c)) | 0x80000000) >>> 0;
}

/** The address as Ruby prints it. */
export function addressOfWords(lo: number, hi: number): string {
  const low = lo.toString(16);
  return hi === 0 ? `0x${low}` : `0x${hi.toString(16)}${low.padStart(8, '0')}`;
}
