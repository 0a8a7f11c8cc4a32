import { GemleakError } from '../errors.js';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const NEWLINE = 0x0a;
// Enough of the start of a file to tell UTF-16 (every other byte NUL) from binary data.
const SNIFF_BYTES = 512;

/**
 * Lockfile bytes to text. Pure. Bundler writes UTF-8; anything with NUL bytes (binary data, UTF-16
 * with or without a byte-order mark) is not a lockfile, and invalid UTF-8 is refused with its line
 * rather than decoded into replacement characters. A UTF-8 byte-order mark is dropped.
 */
export function decodeLockfile(bytes: Uint8Array, file: string): string {
  rejectUtf16ByteOrderMark(bytes, file);
  rejectNulBytes(bytes, file);
  const start = startsWithUtf8Bom(bytes) ? UTF8_BOM.length : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    const offset = firstInvalidUtf8(bytes, start);
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw new GemleakError(
      'LOCKFILE_BAD_ENCODING',
      `found the byte 0x${byte}, which is not valid UTF-8; expected UTF-8 text as Bundler writes it (was the file saved in another encoding, such as Latin-1?)`,
      { file, line: lineAt(bytes, offset) },
    );
  }
}

export function startsWithUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

function rejectUtf16ByteOrderMark(bytes: Uint8Array, file: string): void {
  const order = bytes[0] === 0xff && bytes[1] === 0xfe ? 'FF FE' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'FE FF' : null;
  if (order === null) return;
  throw new GemleakError('LOCKFILE_NOT_A_LOCKFILE', `found a UTF-16 byte-order mark (${order}); expected UTF-8 text as Bundler writes it (convert the file, or run \`bundle lock\` to rewrite it)`, {
    file,
    line: 1,
  });
}

function rejectNulBytes(bytes: Uint8Array, file: string): void {
  const nul = bytes.indexOf(0);
  if (nul < 0) return;
  if (looksLikeUtf16(bytes)) {
    throw new GemleakError('LOCKFILE_NOT_A_LOCKFILE', 'found UTF-16 text without a byte-order mark (every other byte is NUL); expected UTF-8 text as Bundler writes it', { file, line: 1 });
  }
  throw new GemleakError('LOCKFILE_NOT_A_LOCKFILE', `found a NUL byte at offset ${nul}, so this is binary data; expected a UTF-8 text lockfile`, {
    file,
    line: lineAt(bytes, nul),
  });
}

/** ASCII text in UTF-16 puts a NUL in every odd byte (little-endian) or every even byte (big-endian). */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const length = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (length === 0) return false;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let index = 0; index < length; index += 2) {
    if (bytes[index] === 0) evenNuls++;
    if (bytes[index + 1] === 0) oddNuls++;
  }
  const pairs = length / 2;
  return (evenNuls === 0 && oddNuls >= pairs / 2) || (oddNuls === 0 && evenNuls >= pairs / 2);
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array, start: number): number {
  let index = start;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return bytes.length;
}

/** Length of the well-formed UTF-8 sequence at `index` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] ?? 0;
  if (lead < 0x80) return 1;
  const [length, low, high] =
    lead >= 0xc2 && lead <= 0xdf
      ? [2, 0x80, 0xbf]
      : lead === 0xe0
        ? [3, 0xa0, 0xbf]
        : lead === 0xed
          ? [3, 0x80, 0x9f]
          : lead >= 0xe1 && lead <= 0xef
            ? [3, 0x80, 0xbf]
            : lead === 0xf0
              ? [4, 0x90, 0xbf]
              : lead === 0xf4
                ? [4, 0x80, 0x8f]
                : lead >= 0xf1 && lead <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : [0, 0, 0];
  if (length === 0) return 0;
  const second = bytes[index + 1] ?? 0;
  if (second < low || second > high) return 0;
  for (let offset = 2; offset < length; offset++) {
    const next = bytes[index + offset] ?? 0;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (bytes[index] === NEWLINE) line++;
  return line;
}
