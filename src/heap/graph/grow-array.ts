/**
 * Append-only typed arrays in SharedArrayBuffers: a worker thread fills them while it reads a dump,
 * and the main thread receives them without a copy. They double when full.
 */

type TypedArrayOf<T> = T extends 'u32' ? Uint32Array : T extends 'i32' ? Int32Array : Float64Array;
type Kind = 'u32' | 'i32' | 'f64';

const BYTES: Record<Kind, number> = { u32: 4, i32: 4, f64: 8 };

function make<K extends Kind>(kind: K, buffer: SharedArrayBuffer): TypedArrayOf<K> {
  if (kind === 'u32') return new Uint32Array(buffer) as TypedArrayOf<K>;
  if (kind === 'i32') return new Int32Array(buffer) as TypedArrayOf<K>;
  return new Float64Array(buffer) as TypedArrayOf<K>;
}

export interface SharedColumn {
  buffer: SharedArrayBuffer;
  length: number;
}

export class GrowArray<K extends Kind> {
  data: TypedArrayOf<K>;
  length = 0;

  constructor(
    private readonly kind: K,
    capacity: number,
  ) {
    this.data = make(kind, new SharedArrayBuffer(Math.max(16, capacity) * BYTES[kind]));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length] = value;
    this.length += 1;
  }

  toShared(): SharedColumn {
    return { buffer: this.data.buffer as SharedArrayBuffer, length: this.length };
  }

  private grow(): void {
    const next = make(this.kind, new SharedArrayBuffer(this.data.length * 2 * BYTES[this.kind]));
    next.set(this.data);
    this.data = next;
  }
}

export function u32Column(column: SharedColumn): Uint32Array {
  return new Uint32Array(column.buffer, 0, column.length);
}

export function f64Column(column: SharedColumn): Float64Array {
  return new Float64Array(column.buffer, 0, column.length);
}
