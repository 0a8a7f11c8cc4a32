import { decodeLockfile, startsWithUtf8Bom } from './decode.js';
import { byteOrderMarkWarning, parseLockfile } from './parse.js';
import type { Lockfile } from './types.js';
import { GemleakError } from '../errors.js';

/**
 * Lockfile bytes (from disk or from the git index) to a Lockfile. Pure. Decoding drops a UTF-8
 * byte-order mark, so the warning about it is added here, where the bytes still show it.
 */
export function parseLockfileBytes(bytes: Uint8Array, file: string): Lockfile {
  if (bytes.length > MAX_LOCKFILE_BYTES) throw tooBig(file, bytes.length);
  const lockfile = parseLockfile(decodeLockfile(bytes, file), file);
  if (startsWithUtf8Bom(bytes)) lockfile.warnings.unshift(byteOrderMarkWarning());
  return lockfile;
}

/**
 * The largest lockfile gemleak reads: a big Rails monolith's is under 1 MB. The cap stops a hostile
 * path (a huge generated file) from taking all memory; the same cap applies to staged blobs.
 */
export const MAX_LOCKFILE_BYTES = 32 * 1024 * 1024;

export function tooBig(target: string, size: number): GemleakError {
  return new GemleakError('LOCKFILE_TOO_BIG', `is ${(size / 1024 / 1024).toFixed(1)} MiB; gemleak reads lockfiles up to ${MAX_LOCKFILE_BYTES / 1024 / 1024} MiB (a real one is well under 1 MiB)`, {
    file: target,
  });
}
