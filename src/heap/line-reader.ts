import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { GemleakError } from '../errors.js';

/**
 * Streams the lines of a dump (or of one byte range of a plain dump) through a callback, reading
 * each byte once into one reusable buffer. A line longer than the buffer grows it; dumps have
 * lines of several megabytes (big strings and arrays). A line longer than MAX_LINE_BYTES is skipped
 * (and reported), so memory stays bounded whatever the input: a file without a newline, or a gzip
 * bomb that inflates to one enormous line.
 */

const CHUNK = 1024 * 1024;
/** The longest line read, documented in docs/heap-diff.md: longer ones are counted and skipped. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
const PROGRESS_STEP = 16 * 1024 * 1024;

export interface LineSource {
  path: string;
  /** What messages call the file (as the user typed it). */
  label: string;
  gzip: boolean;
  /** Lines that start in [start, end) belong to this read; the last one may run past `end`. */
  start: number;
  end: number;
  /** Only the range that starts the file may strip a byte-order mark. */
  stripBom: boolean;
  /** Tests only: a smaller cap than MAX_LINE_BYTES. */
  maxLineBytes?: number;
}

export interface LineVisitor {
  /**
   * One line, without its `\n`. `unterminated` marks a last line with no newline, which may have
   * been cut short. `offset` is the line's position in the (decompressed) file, an ordering key;
   * `lineNumber` counts from 1 at the start of the range.
   */
  line(bytes: Buffer, start: number, end: number, unterminated: boolean, offset: number, lineNumber: number): void;
  /** A line longer than the cap, skipped unread. */
  longLine?(lineNumber: number): void;
}

export interface ReadOutcome {
  lines: number;
  bomStripped: boolean;
  bytes: number;
}

export type ProgressReport = (bytesDone: number) => void;

export async function readLines(source: LineSource, visitor: LineVisitor, progress: ProgressReport): Promise<ReadOutcome> {
  return source.gzip ? readGzip(source, visitor, progress) : readPlain(source, visitor, progress);
}

/** Holds the bytes not yet handed out as lines. */
class LineBuffer {
  buffer = Buffer.allocUnsafe(CHUNK);
  used = 0;
  /** File offset of buffer[0]. */
  base: number;
  lines = 0;
  skipPartialFirstLine: boolean;
  bomChecked: boolean;
  bomStripped = false;
  done = false;
  /** Inside a line longer than the cap: its bytes are dropped up to its newline. */
  skippingLongLine = false;
  private readonly maxLine: number;

  constructor(
    private readonly source: LineSource,
    private readonly visitor: LineVisitor,
    base: number,
  ) {
    this.base = base;
    this.skipPartialFirstLine = source.start > 0;
    this.bomChecked = !source.stripBom;
    this.maxLine = source.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** Room to read into; grows the buffer when a single line fills it, up to the cap. */
  room(): number {
    if (this.used === this.buffer.length && this.used >= this.maxLine) {
      // The buffer holds only the start of one line (complete lines were handed out): drop it.
      if (!this.skippingLongLine && !this.skipPartialFirstLine) {
        this.lines += 1;
        this.visitor.longLine?.(this.lines);
        this.skippingLongLine = true;
      }
      this.discard(this.used);
    }
    if (this.used === this.buffer.length) {
      const grown = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    return this.buffer.length - this.used;
  }

  /** Hands out every complete line, keeping the incomplete tail for the next read. */
  flushLines(): void {
    const view = this.buffer.subarray(0, this.used);
    let p = 0;
    if (!this.bomChecked) {
      if (this.used < 3) return;
      this.bomChecked = true;
      if (view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) {
        p = 3;
        this.bomStripped = true;
      }
    }
    if (this.skipPartialFirstLine || this.skippingLongLine) {
      const newline = view.indexOf(NEWLINE, p);
      if (newline < 0) {
        this.discard(this.used);
        // No line starts in this range before its end: nothing more to read.
        if (this.skipPartialFirstLine && this.base >= this.source.end) this.done = true;
        return;
      }
      p = newline + 1;
      this.skipPartialFirstLine = false;
      this.skippingLongLine = false;
    }
    for (;;) {
      if (this.base + p >= this.source.end) {
        this.done = true;
        break;
      }
      const newline = view.indexOf(NEWLINE, p);
      if (newline < 0) break;
      this.lines += 1;
      this.visitor.line(view, p, newline, false, this.base + p, this.lines);
      p = newline + 1;
    }
    this.discard(p);
  }

  /** At end of input: the bytes left over are a last line without a newline. */
  finish(): void {
    this.bomChecked = true;
    this.flushLines();
    if (this.done || this.used === 0 || this.skipPartialFirstLine || this.skippingLongLine) return;
    if (this.base >= this.source.end) return;
    this.lines += 1;
    this.visitor.line(this.buffer, 0, this.used, true, this.base, this.lines);
    this.discard(this.used);
  }

  private discard(count: number): void {
    if (count === 0) return;
    this.buffer.copyWithin(0, count, this.used);
    this.used -= count;
    this.base += count;
  }
}

async function readPlain(source: LineSource, visitor: LineVisitor, progress: ProgressReport): Promise<ReadOutcome> {
  // A range that does not start the file begins one byte early: if that byte is a newline, the
  // range's first line starts exactly at `start`; otherwise the partial line belongs to the range
  // before.
  const first = source.start > 0 ? source.start - 1 : 0;
  const lines = new LineBuffer(source, visitor, first);
  const fd = openSync(source.path, 'r');
  let position = first;
  let sinceReport = 0;
  try {
    for (;;) {
      const room = lines.room();
      const count = readSync(fd, lines.buffer, lines.used, room, position);
      if (count === 0) break;
      position += count;
      lines.used += count;
      lines.flushLines();
      sinceReport += count;
      if (sinceReport >= PROGRESS_STEP) {
        progress(sinceReport);
        sinceReport = 0;
      }
      if (lines.done) break;
    }
    if (!lines.done) lines.finish();
  } finally {
    closeSync(fd);
  }
  progress(sinceReport);
  return { lines: lines.lines, bomStripped: lines.bomStripped, bytes: position - first };
}

async function readGzip(source: LineSource, visitor: LineVisitor, progress: ProgressReport): Promise<ReadOutcome> {
  const lines = new LineBuffer(source, visitor, 0);
  const file = createReadStream(source.path, { highWaterMark: 1024 * 1024 });
  let compressed = 0;
  let sinceReport = 0;
  file.on('data', (chunk) => {
    compressed += chunk.length;
    sinceReport += chunk.length;
    if (sinceReport >= PROGRESS_STEP) {
      progress(sinceReport);
      sinceReport = 0;
    }
  });
  const inflate = createGunzip({ chunkSize: 1024 * 1024 });
  file.on('error', (error) => inflate.destroy(error));
  file.pipe(inflate);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(lines.room(), chunk.length - offset);
        chunk.copy(lines.buffer, lines.used, offset, offset + take);
        lines.used += take;
        offset += take;
        lines.flushLines();
      }
    }
  } catch (error) {
    file.destroy();
    const detail = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'the gzip data ends early (truncated file)' : `the gzip data does not inflate (${(error as Error).message})`;
    throw new GemleakError('HEAP_BAD_GZIP', detail, { file: source.label });
  }
  lines.finish();
  progress(sinceReport);
  return { lines: lines.lines, bomStripped: lines.bomStripped, bytes: compressed };
}
