import { HASH_SEED } from './hash.js';
import { parseSlow } from './line-parser-slow.js';
import { FILE_JSON_ESCAPES, FILE_PLAIN, FILE_UNESCAPED, type HeapRecord, LINE_BAD, LINE_OBJECT } from './record.js';

/**
 * Reads the fields of one dump line without `JSON.parse`, which alone would take longer than the
 * whole diff is allowed to. Ruby writes every object line in a fixed shape (objspace_dump.c):
 *
 *   {"address":"0x…", "type":"…"[, "shape_id":N, "slot_size":N][, "class":"0x…"][, "frozen":true]
 *    …type-specific members: value, references, name…
 *    [, "file":"…", "line":N[, "method":"…"], "generation":N][, "memsize":N][, "flags":{…}]}
 *
 * So the head is read forwards and the tail backwards, and the middle (where strings and reference
 * lists of several megabytes live) is never walked byte by byte. Two facts make the key search
 * safe: inside a properly escaped JSON string every `"` is preceded by a backslash, so a pattern
 * such as `", "line":` or `":"` cannot occur there; and Ruby never escapes `file`, which is why
 * `file` is located from its key and its closing quote rather than by tokenising it.
 *
 * Any line that does not fit this shape goes to `JSON.parse` (line-parser-slow.ts), so odd input is
 * judged by a real JSON parser: the fast path decides only lines it fully understands.
 */

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

/** How far back to look for the start of a tail string (`file`, `method`); paths are < 4 KiB. */
const TAIL_STRING_LIMIT = 8192;
const FLAGS_LIMIT = 4096;

const LINE_OPEN = Buffer.from('{"address":"0x');
const TYPE_OPEN = Buffer.from(', "type":"');
const FLAGS_OPEN = Buffer.from(', "flags":');

/** Hex digit values, -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i += 1) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i += 1) HEX[0x61 + i] = 10 + i;

const FIELD_NONE = 0;
const FIELD_CLASS = 1;
const FIELD_NAME = 2;
const FIELD_SKIP = 3;
const FIELD_FILE = 4;
const FIELD_LINE = 5;
const FIELD_GENERATION = 6;
const FIELD_MEMSIZE = 7;
const FIELD_LENGTH = 8;

const KEY_CLASS = Buffer.from('class');
const KEY_NAME = Buffer.from('name');
const KEY_FROZEN = Buffer.from('frozen');
const KEY_SHAPE_ID = Buffer.from('shape_id');
const KEY_SLOT_SIZE = Buffer.from('slot_size');
const KEY_SUPERCLASS = Buffer.from('superclass');
const KEY_VARIATION_COUNT = Buffer.from('variation_count');
const KEY_FILE = Buffer.from('file');
const KEY_LINE = Buffer.from('line');
const KEY_METHOD = Buffer.from('method');
const KEY_MEMSIZE = Buffer.from('memsize');
const KEY_GENERATION = Buffer.from('generation');
const KEY_SIZE = Buffer.from('size');
const KEY_LENGTH = Buffer.from('length');

export interface ParseOptions {
  /**
   * heapy's reading: a line is whatever Ruby's JSON parser makes of it, so a line with an unescaped
   * file name is unreadable, and escapes in `file` are decoded. Otherwise such lines are recovered
   * and `file` is taken as Ruby wrote it.
   */
  heapy: boolean;
  /**
   * 'identity' skips `class` and `name` (readClassAndName reads them later if needed): reading a
   * dump into a key table needs only the address and the allocation record.
   */
  members?: 'all' | 'identity';
}

/**
 * Fills `record` from bytes [start, end) of `bytes` (one line, without its `\n`). `mustValidate`
 * sends the line to the real JSON parser even when the fast path would accept it: the last line of
 * a file without a newline may be cut anywhere, including right after a `}` inside a string.
 */
export function parseLine(bytes: Buffer, start: number, end: number, record: HeapRecord, options: ParseOptions, mustValidate = false): void {
  let s = start;
  let e = end;
  while (e > s && isJsonSpace(bytes[e - 1] as number)) e -= 1;
  while (s < e && isJsonSpace(bytes[s] as number)) s += 1;
  record.reset(bytes);
  if (s === e) return;
  if (!mustValidate && bytes[e - 1] === CLOSE_BRACE && parseFast(bytes, s, e, record, options.members !== 'identity')) {
    if (record.fileForm === FILE_PLAIN) return;
    if (!options.heapy) {
      record.recovered = record.fileForm === FILE_UNESCAPED;
      return;
    }
    if (record.fileForm === FILE_UNESCAPED) {
      record.kind = LINE_BAD;
      return;
    }
    // Validly escaped file names are decoded the way heapy's JSON parser decodes them.
  }
  record.reset(bytes);
  parseSlow(bytes.toString('utf8', s, e), record, options);
}

function isJsonSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CR || byte === 0x0a;
}

/** The fast path. Returns false, having possibly filled part of the record, when the line is not in Ruby's shape. */
function parseFast(b: Buffer, s: number, e: number, r: HeapRecord, readMembers: boolean): boolean {
  for (let i = 0; i < LINE_OPEN.length; i += 1) if (b[s + i] !== LINE_OPEN[i]) return false;
  let p = readAddress(b, s + LINE_OPEN.length, e, r);
  if (p < 0) return false;
  for (let i = 0; i < TYPE_OPEN.length; i += 1) if (b[p + i] !== TYPE_OPEN[i]) return false;
  p += TYPE_OPEN.length;
  const typeStart = p;
  for (;;) {
    if (p >= e) return false;
    const byte = b[p] as number;
    if (byte === QUOTE) break;
    if (byte === BACKSLASH || byte < 0x20) return false;
    p += 1;
  }
  r.typeStart = typeStart;
  r.typeEnd = p;
  const afterType = p + 1;
  if (b[afterType] !== COMMA && !(b[afterType] === CLOSE_BRACE && afterType === e - 1)) return false;
  r.headFrom = afterType;
  r.recordEnd = e;
  let headEnd = afterType;
  if (readMembers) {
    headEnd = readHead(b, afterType, e, r);
    if (headEnd < 0) return false;
    r.headRead = true;
  }
  if (!readTail(b, headEnd, e, r)) return false;
  r.kind = LINE_OBJECT;
  return true;
}

/**
 * Reads `class` and `name` of a line parsed without them (`members: 'identity'`), while its bytes
 * are still in the read buffer: most lines never need them, so they are read on demand.
 */
export function readClassAndName(r: HeapRecord): void {
  if (r.headRead || r.headFrom < 0) return;
  r.headRead = true;
  readHead(r.bytes, r.headFrom, r.recordEnd, r);
}

/**
 * Reads the hex digits after `"0x` into addrLo/addrHi. Only Ruby's spelling (lowercase, no leading
 * zeros, at most 16 digits) is taken: other spellings are compared as written, by the slow path.
 * Returns the index after the closing quote, or -1.
 */
function readAddress(b: Buffer, first: number, e: number, r: HeapRecord): number {
  let lo = 0;
  let hi = 0;
  let q = first;
  for (;;) {
    const digit = HEX[b[q] as number] as number;
    if (digit < 0) break;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | digit) >>> 0;
    q += 1;
  }
  const digits = q - first;
  if (q >= e || b[q] !== QUOTE || digits === 0 || digits > 16 || (digits > 1 && b[first] === 0x30)) return -1;
  r.addrLo = lo;
  r.addrHi = hi;
  return q + 1;
}

/**
 * Reads `, "key":value` members after the type while they are head members. Returns the index of the
 * `,` (or final `}`) where the type-specific part begins, or -1 when the head is malformed.
 */
function readHead(b: Buffer, from: number, e: number, r: HeapRecord): number {
  let p = from;
  for (;;) {
    if (b[p] !== COMMA) return b[p] === CLOSE_BRACE && p === e - 1 ? p : -1;
    if (b[p + 1] !== SPACE || b[p + 2] !== QUOTE) return -1;
    const keyStart = p + 3;
    let k = keyStart;
    while (k < e && b[k] !== QUOTE) k += 1;
    if (k + 2 >= e || b[k + 1] !== COLON) return -1;
    const field = headField(b, keyStart, k);
    if (field === FIELD_NONE) return p;
    const valueStart = k + 2;
    const valueEnd = skipSimpleValue(b, valueStart, e);
    if (valueEnd < 0) return -1;
    if (field === FIELD_LENGTH) {
      // `size` and `length` open the type-specific part: nothing after them is a head member.
      if (isDigit(b[valueStart] as number)) r.length = digitsValue(b, valueStart, valueEnd);
      return valueEnd;
    }
    if (field === FIELD_CLASS || field === FIELD_NAME) {
      if (b[valueStart] !== QUOTE) return -1;
      if (field === FIELD_CLASS) {
        r.classStart = valueStart + 1;
        r.classEnd = valueEnd - 1;
      } else {
        r.nameStart = valueStart + 1;
        r.nameEnd = valueEnd - 1;
      }
    }
    p = valueEnd;
  }
}

/** Steps over a string without escapes, a number, or true/false/null. Returns the index after it, or -1. */
function skipSimpleValue(b: Buffer, p: number, e: number): number {
  const first = b[p] as number;
  let q = p + 1;
  if (first === QUOTE) {
    while (q < e) {
      const byte = b[q] as number;
      if (byte === QUOTE) return q + 1;
      if (byte === BACKSLASH) return -1;
      q += 1;
    }
    return -1;
  }
  if (isDigit(first) || first === MINUS) {
    while (q < e && isDigit(b[q] as number)) q += 1;
    return q;
  }
  if (first === 0x74 /* t */) return b[q] === 0x72 && b[q + 1] === 0x75 && b[q + 2] === 0x65 ? q + 3 : -1;
  if (first === 0x66 /* f */) return b[q] === 0x61 && b[q + 1] === 0x6c && b[q + 2] === 0x73 && b[q + 3] === 0x65 ? q + 4 : -1;
  if (first === 0x6e /* n */) return b[q] === 0x75 && b[q + 1] === 0x6c && b[q + 2] === 0x6c ? q + 3 : -1;
  return -1;
}

/**
 * Reads `, "key":value` members backwards from the end while they are tail members. Returns false
 * when the tail is malformed (the caller then uses the JSON parser).
 */
function readTail(b: Buffer, headEnd: number, e: number, r: HeapRecord): boolean {
  let q = e - 2;
  if (q > headEnd && b[q] === CLOSE_BRACE) {
    // `"flags":{"wb_protected":true, "old":true, …}` holds no braces of its own.
    // The line itself starts with `{`, so this search never leaves the line.
    const open = b.lastIndexOf(OPEN_BRACE, q - 1);
    if (open <= headEnd || q - open > FLAGS_LIMIT) return false;
    const flagsStart = open - FLAGS_OPEN.length;
    for (let i = 0; i < FLAGS_OPEN.length; i += 1) if (b[flagsStart + i] !== FLAGS_OPEN[i]) return false;
    q = flagsStart - 1;
  }
  while (q > headEnd) {
    const last = b[q] as number;
    let valueStart: number;
    let keyQuote: number;
    let isString = false;
    if (isDigit(last)) {
      valueStart = q;
      while (valueStart > headEnd && isDigit(b[valueStart - 1] as number)) valueStart -= 1;
      if (b[valueStart - 1] !== COLON) return false;
      keyQuote = valueStart - 2;
    } else if (last === QUOTE) {
      const colon = scanStringBack(b, q, Math.max(headEnd, q - TAIL_STRING_LIMIT));
      if (colon < 0) break;
      valueStart = colon + 1;
      keyQuote = colon - 1;
      isString = true;
    } else if (last === 0x6c && b[q - 1] === 0x6c && b[q - 2] === 0x75 && b[q - 3] === 0x6e) {
      // null
      valueStart = q - 3;
      if (b[valueStart - 1] !== COLON) return false;
      keyQuote = valueStart - 2;
    } else {
      break;
    }
    if (b[keyQuote] !== QUOTE) return false;
    let keyOpen = keyQuote - 1;
    while (keyOpen > headEnd && b[keyOpen] !== QUOTE) keyOpen -= 1;
    if (keyOpen <= headEnd) break;
    const field = tailField(b, keyOpen + 1, keyQuote);
    if (field === FIELD_NONE) break;
    if (b[keyOpen - 1] !== SPACE || b[keyOpen - 2] !== COMMA) return false;
    if (!storeTailValue(b, field, valueStart, q + 1, isString, r)) return false;
    q = keyOpen - 3;
  }
  r.tailFrom = q;
  return true;
}

// What scanStringBack saw in the string it walked ([hash, form]), for the caller to keep if it was
// `file`. A typed array rather than module variables: storing a hash there allocates no number.
const scanned = new Int32Array(2);
const SCANNED_HASH = 0;
const SCANNED_FORM = 1;

/**
 * From the closing quote of a string value, walks back to the `":"` that opens it and returns the
 * index of its colon (-1 when not found by `limit`). On the way it hashes the text (backwards, see
 * hashBytesBackwards) and notes whether JSON would need escapes in it, so a file name is walked
 * once. The pattern `":"` cannot occur inside an escaped string; inside an unescaped file name it
 * would cut the name short and fail the key check, sending the line to the JSON parser.
 */
function scanStringBack(b: Buffer, closingQuote: number, limit: number): number {
  let hash = HASH_SEED;
  let form = FILE_PLAIN;
  for (let i = closingQuote - 1; i > limit + 1; i -= 1) {
    const byte = b[i] as number;
    // One comparison for the common bytes: everything special is <= '"' or is '\\'.
    if (byte <= QUOTE || byte === BACKSLASH) {
      if (byte === QUOTE) {
        if (b[i - 1] === COLON && b[i - 2] === QUOTE) {
          scanned[SCANNED_HASH] = hash;
          scanned[SCANNED_FORM] = form;
          return i - 1;
        }
        form = FILE_UNESCAPED;
      } else if (byte < 0x20) {
        form = FILE_UNESCAPED;
      } else if (byte === BACKSLASH && form === FILE_PLAIN) {
        form = FILE_JSON_ESCAPES;
      }
    }
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return -1;
}

/** Head members worth reading (or stepping over) before the type-specific part begins. */
function headField(b: Buffer, start: number, end: number): number {
  switch (end - start) {
    case 4:
      if (keyIs(b, start, KEY_NAME)) return FIELD_NAME;
      return keyIs(b, start, KEY_SIZE) ? FIELD_LENGTH : FIELD_NONE;
    case 5:
      return keyIs(b, start, KEY_CLASS) ? FIELD_CLASS : FIELD_NONE;
    case 6:
      if (keyIs(b, start, KEY_FROZEN)) return FIELD_SKIP;
      return keyIs(b, start, KEY_LENGTH) ? FIELD_LENGTH : FIELD_NONE;
    case 8:
      return keyIs(b, start, KEY_SHAPE_ID) ? FIELD_SKIP : FIELD_NONE;
    case 9:
      return keyIs(b, start, KEY_SLOT_SIZE) ? FIELD_SKIP : FIELD_NONE;
    case 10:
      return keyIs(b, start, KEY_SUPERCLASS) ? FIELD_SKIP : FIELD_NONE;
    case 15:
      return keyIs(b, start, KEY_VARIATION_COUNT) ? FIELD_SKIP : FIELD_NONE;
    default:
      return FIELD_NONE;
  }
}

/** Tail members, read backwards. */
function tailField(b: Buffer, start: number, end: number): number {
  switch (end - start) {
    case 4:
      if (keyIs(b, start, KEY_FILE)) return FIELD_FILE;
      return keyIs(b, start, KEY_LINE) ? FIELD_LINE : FIELD_NONE;
    case 6:
      return keyIs(b, start, KEY_METHOD) ? FIELD_SKIP : FIELD_NONE;
    case 7:
      return keyIs(b, start, KEY_MEMSIZE) ? FIELD_MEMSIZE : FIELD_NONE;
    case 10:
      return keyIs(b, start, KEY_GENERATION) ? FIELD_GENERATION : FIELD_NONE;
    default:
      return FIELD_NONE;
  }
}

/** The caller has checked the length. */
function keyIs(b: Buffer, start: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i += 1) if (b[start + i] !== key[i]) return false;
  return true;
}

/** `valueStart..valueEnd` spans the raw value, quotes included for strings. */
function storeTailValue(b: Buffer, field: number, valueStart: number, valueEnd: number, isString: boolean, r: HeapRecord): boolean {
  const isNull = !isString && b[valueStart] === 0x6e;
  const textStart = isString ? valueStart + 1 : valueStart;
  const textEnd = isString ? valueEnd - 1 : valueEnd;
  switch (field) {
    case FIELD_FILE:
      if (isNull) return true;
      if (!isString) return false;
      r.fileStart = textStart;
      r.fileEnd = textEnd;
      r.fileHash = scanned[SCANNED_HASH] as number;
      // A backslash alone is fine if it starts a valid JSON escape; only then is the text valid JSON.
      r.fileForm = scanned[SCANNED_FORM] === FILE_JSON_ESCAPES ? fileForm(b, textStart, textEnd) : (scanned[SCANNED_FORM] as number);
      return true;
    case FIELD_LINE:
      if (isNull) return true;
      if (isString && scanned[SCANNED_FORM] !== FILE_PLAIN) return false;
      r.lineStart = textStart;
      r.lineEnd = textEnd;
      return true;
    case FIELD_GENERATION:
      if (isNull) return true;
      if (isString) return false;
      r.genStart = textStart;
      r.genEnd = textEnd;
      r.generation = digitsValue(b, textStart, textEnd);
      return true;
    case FIELD_MEMSIZE:
      if (isNull) return true;
      if (isString) return false;
      r.memsize = digitsValue(b, textStart, textEnd);
      return true;
    default:
      return true;
  }
}

/** Classifies a file name as JSON sees it: plain, validly escaped, or not valid JSON at all. */
function fileForm(b: Buffer, start: number, end: number): number {
  let form = FILE_PLAIN;
  for (let i = start; i < end; i += 1) {
    const byte = b[i] as number;
    if (byte === QUOTE || byte < 0x20) return FILE_UNESCAPED;
    if (byte === BACKSLASH) {
      const next = b[i + 1] as number;
      if (i + 1 >= end) return FILE_UNESCAPED;
      if (next === 0x75 /* u */) {
        if (i + 5 >= end || !/^[0-9a-fA-F]{4}$/.test(b.toString('latin1', i + 2, i + 6))) return FILE_UNESCAPED;
        i += 5;
      } else if ('"\\/bfnrt'.includes(String.fromCharCode(next))) {
        i += 1;
      } else {
        return FILE_UNESCAPED;
      }
      form = FILE_JSON_ESCAPES;
    }
  }
  return form;
}

function digitsValue(b: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i += 1) value = value * 10 + ((b[i] as number) - 0x30);
  return value;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
