import { HASH_SEED, finalizeHash, hashBytes, hashBytesBackwards } from './hash.js';
import { FILE_UNESCAPED, type HeapRecord, LINE_BAD, LINE_NO_ADDRESS, LINE_NOT_OBJECT, LINE_OBJECT } from './record.js';

/**
 * The slow path of the line parser: lines the fast path (line-parser.ts) does not decide, judged
 * by JSON.parse, plus the repair of the file names Ruby writes without escaping.
 */

const CANONICAL_ADDRESS = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/;

export function parseSlow(text: string, r: HeapRecord, options: { heapy: boolean }): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = options.heapy ? undefined : parseWithUnescapedFile(text);
    if (value === undefined) {
      r.kind = LINE_BAD;
      return;
    }
    r.recovered = true;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    r.kind = LINE_NOT_OBJECT;
    return;
  }
  r.parsed = value as Record<string, unknown>;
  fillFromObject(value as Record<string, unknown>, r);
}

/**
 * Ruby (up to 3.4 at least) writes `file` without JSON escaping, so code eval'd under a name with a
 * quote, backslash or TAB (ERB templates on Windows-style paths, generated code) makes invalid
 * lines. Re-escaping the text between `"file":"` and the member after it recovers them.
 */
function parseWithUnescapedFile(text: string): unknown {
  const open = text.indexOf(', "file":"');
  if (open < 0) return undefined;
  const nameStart = open + ', "file":"'.length;
  const close = lastMemberAfterFile(text, nameStart);
  if (close < 0) return undefined;
  const name = text.slice(nameStart, close);
  try {
    return JSON.parse(`${text.slice(0, nameStart)}${JSON.stringify(name).slice(1, -1)}${text.slice(close)}`);
  } catch {
    return undefined;
  }
}

/** Ruby writes `line` right after `file`; without a line, the next member Ruby can write there. */
function lastMemberAfterFile(text: string, from: number): number {
  for (const next of ['", "line":', '", "method":', '", "generation":', '", "memsize":', '", "flags":', '"}']) {
    const at = text.lastIndexOf(next);
    if (at >= from) return at;
  }
  return -1;
}

function fillFromObject(object: Record<string, unknown>, r: HeapRecord): void {
  r.headRead = true;
  r.bytes = r.scratch;
  r.scratchUsed = 0;
  const address = object.address;
  if (address === undefined || address === null) {
    r.kind = LINE_NO_ADDRESS;
  } else {
    r.kind = LINE_OBJECT;
    setAddress(address, r);
  }
  const type = textForm(object.type);
  if (type !== null) [r.typeStart, r.typeEnd] = keep(r, type);
  const file = textForm(object.file);
  if (file !== null) {
    [r.fileStart, r.fileEnd] = keep(r, file);
    r.fileHash = hashBytesBackwards(r.bytes, r.fileStart, r.fileEnd, HASH_SEED);
    if (r.recovered) r.fileForm = FILE_UNESCAPED;
  }
  const line = textForm(object.line);
  if (line !== null) [r.lineStart, r.lineEnd] = keep(r, line);
  const generation = textForm(object.generation);
  if (generation !== null) {
    [r.genStart, r.genEnd] = keep(r, generation);
    r.generation = Number.isSafeInteger(object.generation) && (object.generation as number) >= 0 ? (object.generation as number) : -1;
  }
  r.memsize = typeof object.memsize === 'number' && Number.isFinite(object.memsize) ? object.memsize : 0;
  if (typeof object.class === 'string' && CANONICAL_ADDRESS.test(object.class)) [r.classStart, r.classEnd] = keep(r, object.class);
  if (typeof object.name === 'string') [r.nameStart, r.nameEnd] = keep(r, object.name);
  const length = typeof object.size === 'number' ? object.size : object.length;
  if (typeof length === 'number' && Number.isSafeInteger(length) && length >= 0) r.length = length;
}

function keep(r: HeapRecord, text: string): [number, number] {
  const start = r.keepText(text);
  return [start, start + Buffer.byteLength(text)];
}

/** How heapy (Ruby's `to_s`) prints a member: strings as they are, numbers in decimal, null as absent. */
function textForm(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const words = new Uint32Array(2);

function setAddress(address: unknown, r: HeapRecord): void {
  addressWords(address, words);
  r.addrLo = words[0] as number;
  r.addrHi = words[1] as number;
}

/**
 * An address as two 32-bit words: Ruby's spelling (`0x7f…`) by value; any other spelling by a hash
 * of its JSON text with the top bit set, compared as written, like heapy: "0X1C" is not "0x1c",
 * and 28 is not "28".
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
