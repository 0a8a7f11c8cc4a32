import { open, stat } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { GemleakError } from '../errors.js';

/** A dump as the user named it: `path` to open, `label` for messages (as typed on the command line). */
export interface DumpInput {
  path: string;
  label: string;
}

export interface DumpFile extends DumpInput {
  /** Bytes on disk (compressed size for gzip). */
  size: number;
  gzip: boolean;
}

const SNIFF_BYTES = 64 * 1024;

/**
 * Checks that a dump can be read at all before any scanning starts, so that a typo in the third
 * file name fails in milliseconds rather than after the first two gigabytes. Gzip is recognised by
 * its magic bytes, whatever the file is called.
 */
export async function inspectDump(input: DumpInput): Promise<DumpFile> {
  const info = await stat(input.path).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(input, error);
  });
  if (info.isDirectory()) throw new GemleakError('HEAP_NOT_A_FILE', 'is a directory, not a heap dump', { file: input.label });
  if (!info.isFile()) throw new GemleakError('HEAP_NOT_A_FILE', 'is not a regular file (gemleak reads each dump in parallel ranges, so pipes are not supported)', { file: input.label });
  if (info.size === 0) throw emptyDump(input, 'is empty (0 bytes): the dump was never written, or the process died before writing it');
  const head = await readHead(input);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (gzip) checkGzipHead(input, head, info.size <= SNIFF_BYTES);
  return { ...input, size: info.size, gzip };
}

async function readHead(input: DumpInput): Promise<Buffer> {
  const handle = await open(input.path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw unreadable(input, error);
  });
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function checkGzipHead(input: DumpInput, head: Buffer, wholeFile: boolean): void {
  let inflated: Buffer;
  try {
    // A sync flush inflates what the first bytes hold without demanding the end of the stream.
    inflated = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    throw new GemleakError('HEAP_BAD_GZIP', `looks like gzip but does not inflate (${(error as Error).message})`, { file: input.label });
  }
  if (wholeFile && inflated.length === 0) throw emptyDump(input, 'is empty once decompressed: the dump was never written');
}

function emptyDump(input: DumpInput, message: string): GemleakError {
  return new GemleakError('HEAP_EMPTY', message, { file: input.label });
}

function unreadable(input: DumpInput, error: NodeJS.ErrnoException): GemleakError {
  if (error.code === 'ENOENT') return new GemleakError('HEAP_MISSING', 'no such file', { file: input.label });
  if (error.code === 'EACCES') return new GemleakError('HEAP_UNREADABLE', 'permission denied', { file: input.label });
  return new GemleakError('HEAP_UNREADABLE', `cannot be read (${error.code ?? error.message})`, { file: input.label });
}
