/**
 * One line of an `ObjectSpace.dump_all` file, reduced to the fields a heap diff needs. The scanner
 * reuses a single record for every line; text fields are byte ranges into `bytes` (the read
 * buffer, or the record's own scratch buffer for lines that went through `JSON.parse`), so no
 * string is made unless a caller asks for one.
 */

/** A heap object: a JSON object with an `address`. */
export const LINE_OBJECT = 1;
/** A JSON object without an address: the ROOT records at the top of every dump. */
export const LINE_NO_ADDRESS = 2;
/** Not JSON at all: truncated, garbage, blank, a BOM heapy cannot read. */
export const LINE_BAD = 3;
/** Valid JSON that is not an object: `[1, 2, 3]`, `null`, `42`, `"text"`. */
export const LINE_NOT_OBJECT = 4;

/** The `file` text needed no escaping. */
export const FILE_PLAIN = 0;
/** The `file` text holds valid JSON escapes (e.g. `C:\\app`), which JSON readers decode. */
export const FILE_JSON_ESCAPES = 1;
/** Ruby wrote the `file` without escaping (a `"`, a stray `\` or a TAB): the line is not valid JSON. */
export const FILE_UNESCAPED = 2;

const EMPTY = Buffer.alloc(0);

export class HeapRecord {
  kind = LINE_BAD;
  bytes: Buffer = EMPTY;
  /** The address as a 64-bit number split in two, or a 64-bit hash of an address written oddly. */
  addrLo = 0;
  addrHi = 0;
  typeStart = -1;
  typeEnd = -1;
  /** The `class` address (hex text between the quotes, and its value). */
  classStart = -1;
  classEnd = -1;
  /** `name` of a CLASS or MODULE record. */
  nameStart = -1;
  nameEnd = -1;
  fileStart = -1;
  fileEnd = -1;
  fileForm = FILE_PLAIN;
  /** hashBytesBackwards of the file text from HASH_SEED, computed while it is parsed. */
  fileHash = 0;
  /** `line` as written (digits, or a string's text). */
  lineStart = -1;
  lineEnd = -1;
  genStart = -1;
  genEnd = -1;
  /** `generation` as a number, -1 when absent or not a whole number. */
  generation = -1;
  memsize = 0;
  /** Where the members after `type` start, and where the line ends, for reading class and name later. */
  headFrom = -1;
  recordEnd = -1;
  headRead = false;
  /** Read with the lenient repair for unescaped file names (not valid JSON as written). */
  recovered = false;
  /**
   * Fast path only: the index of the last byte before the allocation record and memsize (the
   * `]` of `references` when the object has any), so references are found without walking values.
   */
  tailFrom = -1;
  /** `size` of a HASH or `length` of an ARRAY, -1 when absent (read with the head members). */
  length = -1;
  /** Lines judged by JSON.parse: the parsed object, for the members the byte ranges do not cover. */
  parsed: Record<string, unknown> | null = null;
  /** Holds the text of fields that came from `JSON.parse`, so they too are byte ranges. */
  scratch: Buffer = Buffer.allocUnsafe(1024);
  scratchUsed = 0;

  reset(bytes: Buffer): void {
    this.kind = LINE_BAD;
    this.bytes = bytes;
    this.addrLo = 0;
    this.addrHi = 0;
    this.typeStart = -1;
    this.typeEnd = -1;
    this.classStart = -1;
    this.classEnd = -1;
    this.nameStart = -1;
    this.nameEnd = -1;
    this.fileStart = -1;
    this.fileEnd = -1;
    this.fileForm = FILE_PLAIN;
    this.fileHash = 0;
    this.lineStart = -1;
    this.lineEnd = -1;
    this.genStart = -1;
    this.genEnd = -1;
    this.generation = -1;
    this.memsize = 0;
    this.recovered = false;
    this.tailFrom = -1;
    this.length = -1;
    this.parsed = null;
    this.headFrom = -1;
    this.recordEnd = -1;
    this.headRead = false;
  }

  typeText(): string | null {
    return this.typeStart < 0 ? null : this.bytes.toString('utf8', this.typeStart, this.typeEnd);
  }

  fileText(): string | null {
    return this.fileStart < 0 ? null : this.bytes.toString('utf8', this.fileStart, this.fileEnd);
  }

  lineText(): string | null {
    return this.lineStart < 0 ? null : this.bytes.toString('utf8', this.lineStart, this.lineEnd);
  }

  classText(): string | null {
    return this.classStart < 0 ? null : this.bytes.toString('latin1', this.classStart, this.classEnd);
  }

  nameText(): string | null {
    return this.nameStart < 0 ? null : this.bytes.toString('utf8', this.nameStart, this.nameEnd);
  }

  typeIs(word: Uint8Array): boolean {
    return this.typeStart >= 0 && rangeEquals(this.bytes, this.typeStart, this.typeEnd, word);
  }

  /** Copies text into the scratch buffer and returns its start (the end is start + byte length). */
  keepText(text: string): number {
    const length = Buffer.byteLength(text);
    if (this.scratchUsed + length > this.scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratchUsed + length));
      this.scratch.copy(grown, 0, 0, this.scratchUsed);
      this.scratch = grown;
      // Ranges already set point into the old scratch, so they must move with it.
      this.bytes = grown;
    }
    const start = this.scratchUsed;
    this.scratch.write(text, start);
    this.scratchUsed += length;
    return start;
  }
}

export const TYPE_NONE = Buffer.from('NONE');
export const TYPE_ROOT = Buffer.from('ROOT');
export const TYPE_CLASS = Buffer.from('CLASS');
export const TYPE_MODULE = Buffer.from('MODULE');

export function rangeEquals(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i += 1) if (bytes[start + i] !== word[i]) return false;
  return true;
}
