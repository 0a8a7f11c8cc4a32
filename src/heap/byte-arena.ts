/**
 * Append-only bytes in one SharedArrayBuffer that doubles when full: the text of a scan's groups
 * (type, class, file, line) and class names, kept as spans instead of one string or Buffer per value,
 * so a table of thousands of groups is a few flat arrays, and reaches the main thread without a copy.
 */

export interface SharedArena {
  buffer: SharedArrayBuffer;
  used: number;
}

const INITIAL_BYTES = 64 * 1024;

export class ByteArena {
  bytes: Uint8Array;
  used: number;

  constructor(shared?: SharedArena) {
    this.bytes = new Uint8Array(shared?.buffer ?? new SharedArrayBuffer(INITIAL_BYTES));
    this.used = shared?.used ?? 0;
  }

  /** Copies bytes [start, end) of `from`; returns where they start here. */
  append(from: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (this.used + length > this.bytes.length) this.grow(this.used + length);
    this.bytes.set(from.subarray(start, end), this.used);
    const at = this.used;
    this.used += length;
    return at;
  }

  text(start: number, end: number, encoding: 'utf8' | 'latin1'): string {
    return Buffer.from(this.bytes.buffer, start, end - start).toString(encoding);
  }

  toShared(): SharedArena {
    return { buffer: this.bytes.buffer as SharedArrayBuffer, used: this.used };
  }

  private grow(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(new SharedArrayBuffer(size));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}

/** True when bytes [aStart, aEnd) of `a` equal bytes [bStart, bEnd) of `b`. */
export function sameBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  const length = aEnd - aStart;
  if (length !== bEnd - bStart) return false;
  for (let i = 0; i < length; i += 1) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}
