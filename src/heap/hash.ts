/**
 * 32-bit hashing over byte ranges, written as plain integer loops so V8 keeps them in registers:
 * the scanners hash a few fields of every line of a dump, millions of times per run.
 */

export const HASH_SEED = 0x811c9dc5;

/** Folds bytes [start, end) into `hash` (FNV-1a with a murmur-style multiply for better avalanche). */
export function hashBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
  let h = hash;
  for (let i = start; i < end; i += 1) {
    h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  }
  return h;
}

/**
 * The same over bytes taken from the last to the first: the parser meets a file name at its
 * closing quote and hashes it while walking back to its start.
 */
export function hashBytesBackwards(bytes: Uint8Array, start: number, end: number, hash: number): number {
  let h = hash;
  for (let i = end - 1; i >= start; i -= 1) {
    h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  }
  return h;
}

/** Mixes one 32-bit word into `hash`; used to separate fields so `ab|c` and `a|bc` differ. */
export function hashWord(hash: number, word: number): number {
  let h = Math.imul(hash ^ word, 0x5bd1e995);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2d);
}

/** Final avalanche, so that nearby inputs land far apart in a table. */
export function finalizeHash(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
