import { decodeLockfile, startsWithUtf8Bom } from './decode.js';
import { byteOrderMarkWarning, parseLockfile } from './parse.js';
import type { Lockfile } from './types.js';

/**
 * Lockfile bytes (from disk or from the git index) to a Lockfile. Pure. Decoding drops a UTF-8
 * byte-order mark, so the warning about it is added here, where the bytes still show it.
 */
export function parseLockfileBytes(bytes: Uint8Array, file: string): Lockfile {
  const lockfile = parseLockfile(decodeLockfile(bytes, file), file);
  if (startsWithUtf8Bom(bytes)) lockfile.warnings.unshift(byteOrderMarkWarning());
  return lockfile;
}
