import { ByteArena, type SharedArena } from './byte-arena.js';
import { addressTextOf } from './identity.js';
import type { HeapRecord } from './record.js';

/**
 * The `name` of every CLASS and MODULE record of a dump range, by address, in flat arrays: a site
 * names its class only once every range has been read (a class may be dumped after its objects,
 * or in another range), and only the few class addresses that sites use become strings.
 */

/** address low word, high word, name start, name end. */
const WORDS = 4;

export interface SharedClassNames {
  size: number;
  columns: SharedArrayBuffer;
  text: SharedArena;
}

export class ClassNameTable {
  private size = 0;
  private columns = new Float64Array(new SharedArrayBuffer(64 * WORDS * 8));
  private readonly text = new ByteArena();

  /** Keeps the name of a CLASS or MODULE record whose `name` has been read. */
  add(record: HeapRecord): void {
    if (record.nameStart < 0) return;
    if ((this.size + 1) * WORDS > this.columns.length) {
      const grown = new Float64Array(new SharedArrayBuffer(this.columns.length * 2 * 8));
      grown.set(this.columns);
      this.columns = grown;
    }
    const at = this.size * WORDS;
    const start = this.text.append(record.bytes, record.nameStart, record.nameEnd);
    this.columns[at] = record.addrLo;
    this.columns[at + 1] = record.addrHi;
    this.columns[at + 2] = start;
    this.columns[at + 3] = start + record.nameEnd - record.nameStart;
    this.size += 1;
  }

  toShared(): SharedClassNames {
    return { size: this.size, columns: this.columns.buffer as SharedArrayBuffer, text: this.text.toShared() };
  }
}

/**
 * address → name for the class addresses in `wanted`, from the tables of all ranges in file order
 * (a later record of the same address wins).
 */
export function resolveClassNames(tables: readonly SharedClassNames[], wanted: ReadonlySet<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const table of tables) {
    const columns = new Float64Array(table.columns);
    const text = new ByteArena(table.text);
    for (let entry = 0; entry < table.size; entry += 1) {
      const at = entry * WORDS;
      const address = addressTextOf(columns[at] as number, columns[at + 1] as number);
      if (wanted.has(address)) names.set(address, text.text(columns[at + 2] as number, columns[at + 3] as number, 'utf8'));
    }
  }
  return names;
}
