import { addressWords } from '../line-parser-slow.js';
import type { HeapRecord } from '../record.js';

export { addressWords };

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

/** The address as Ruby prints it. */
export function addressOfWords(lo: number, hi: number): string {
  const low = lo.toString(16);
  return hi === 0 ? `0x${low}` : `0x${hi.toString(16)}${low.padStart(8, '0')}`;
}
