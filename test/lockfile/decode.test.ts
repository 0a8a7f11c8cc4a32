import { describe, expect, it } from 'vitest';
import { GemleakError } from '../../src/errors.js';
import { decodeLockfile, parseLockfileBytes } from '../../src/lockfile/index.js';

const LOCKFILE = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n';
const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

function utf16le(text: string): Uint8Array {
  return Uint8Array.from([...text].flatMap((char) => [char.charCodeAt(0) & 0xff, char.charCodeAt(0) >> 8]));
}

function utf16be(text: string): Uint8Array {
  return Uint8Array.from([...text].flatMap((char) => [char.charCodeAt(0) >> 8, char.charCodeAt(0) & 0xff]));
}

function decodeError(input: Uint8Array): GemleakError {
  try {
    decodeLockfile(input, 'Gemfile.lock');
  } catch (error) {
    if (error instanceof GemleakError) return error;
    throw error;
  }
  throw new Error('expected decodeLockfile to throw');
}

describe('decodeLockfile', () => {
  it.each([
    ['plain UTF-8', utf8(LOCKFILE), LOCKFILE],
    ['UTF-8 with a byte-order mark (dropped)', bytes([0xef, 0xbb, 0xbf], utf8(LOCKFILE)), LOCKFILE],
    ['UTF-8 beyond ASCII in a path', utf8('PATH\n  remote: vendor/café\n'), 'PATH\n  remote: vendor/café\n'],
    ['CRLF (left for the parser)', utf8('GEM\r\n'), 'GEM\r\n'],
    ['no bytes at all (left for the parser to call empty)', new Uint8Array(0), ''],
  ])('decodes %s', (_name, input, expected) => {
    expect(decodeLockfile(input, 'Gemfile.lock')).toBe(expected);
  });

  it.each([
    ['UTF-16LE with a byte-order mark', bytes([0xff, 0xfe], utf16le(LOCKFILE)), 'LOCKFILE_NOT_A_LOCKFILE', 1, 'UTF-16 byte-order mark (FF FE)'],
    ['UTF-16BE with a byte-order mark', bytes([0xfe, 0xff], utf16be(LOCKFILE)), 'LOCKFILE_NOT_A_LOCKFILE', 1, 'UTF-16 byte-order mark (FE FF)'],
    ['UTF-16LE without a byte-order mark', utf16le(LOCKFILE), 'LOCKFILE_NOT_A_LOCKFILE', 1, 'UTF-16 text without a byte-order mark'],
    ['UTF-16BE without a byte-order mark', utf16be(LOCKFILE), 'LOCKFILE_NOT_A_LOCKFILE', 1, 'UTF-16 text without a byte-order mark'],
    ['binary data with a NUL byte on line 3', bytes(utf8('GEM\n  specs:\n'), [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]), 'LOCKFILE_NOT_A_LOCKFILE', 3, 'NUL byte at offset 17'],
    ['Latin-1 text (invalid UTF-8) on line 2', bytes(utf8('PATH\n  remote: vendor/caf'), [0xe9], utf8('\n')), 'LOCKFILE_BAD_ENCODING', 2, '0xE9'],
    ['a UTF-8 sequence cut short', bytes(utf8('GEM\n'), [0xe2, 0x82]), 'LOCKFILE_BAD_ENCODING', 2, '0xE2'],
    ['an overlong encoding of "/"', bytes(utf8('GEM\n\n'), [0xc0, 0xaf]), 'LOCKFILE_BAD_ENCODING', 3, '0xC0'],
    ['an encoded UTF-16 surrogate', bytes([0xed, 0xa0, 0x80]), 'LOCKFILE_BAD_ENCODING', 1, '0xED'],
  ])('rejects %s', (_name, input, code, line, fragment) => {
    const error = decodeError(input);
    expect({ code: error.code, line: error.line, file: error.file, exitCode: error.exitCode }).toEqual({ code, line, file: 'Gemfile.lock', exitCode: 2 });
    expect(error.message).toContain(fragment);
    expect(error.message).toContain('expected');
  });
});

describe('parseLockfileBytes', () => {
  const text = `${LOCKFILE}\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack\n`;

  it.each([
    ['plain UTF-8', utf8(text), []],
    ['UTF-8 with a byte-order mark, which Bundler would not drop', bytes([0xef, 0xbb, 0xbf], utf8(text)), ['BYTE_ORDER_MARK 1']],
  ])('parses %s', (_name, input, warnings) => {
    const lockfile = parseLockfileBytes(input, 'Gemfile.lock');
    expect(lockfile.specs.map((spec) => `${spec.line} ${spec.name} ${spec.version}`)).toEqual(['4 rack 2.2.8']);
    expect(lockfile.warnings.map((warning) => `${warning.code} ${warning.line}`)).toEqual(warnings);
  });

  it('refuses what decodeLockfile refuses', () => {
    expect(() => parseLockfileBytes(bytes([0xff, 0xfe], utf16le(text)), 'Gemfile.lock')).toThrow(expect.objectContaining({ code: 'LOCKFILE_NOT_A_LOCKFILE' }));
  });
});
