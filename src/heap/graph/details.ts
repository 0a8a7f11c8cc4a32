import { closeSync, openSync, readSync } from 'node:fs';
import { hasInstanceClass } from '../group-index.js';
import type { DumpFile } from '../input.js';
import type { PathHop } from '../types.js';
import { parseLine } from '../line-parser.js';
import { readLines } from '../line-reader.js';
import { HeapRecord, LINE_OBJECT } from '../record.js';
import type { HeapGraph } from './graph.js';
import { addressOfWords } from './references.js';

/**
 * What a path shows of each hop (a PathHop): read again from the dump's own line (the graph keeps
 * only numbers), for the few dozen nodes a report names.
 */
export type NodeDetail = PathHop;

/** Lines longer than this are not read again for display (only their address is shown). */
const DETAIL_LINE_LIMIT = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
const FIRST_READ = 4096;

export async function readNodeDetails(graph: HeapGraph, file: DumpFile, nodes: Iterable<number>, classNames: ReadonlyMap<string, string>): Promise<Map<number, NodeDetail>> {
  const wanted = [...new Set(nodes)].sort((a, b) => (graph.offset[a] as number) - (graph.offset[b] as number));
  const details = new Map<number, NodeDetail>();
  for (const node of wanted) details.set(node, bare(graph, node));
  if (wanted.length === 0) return details;
  const record = new HeapRecord();
  const take = (bytes: Buffer, start: number, end: number, node: number) => {
    parseLine(bytes, start, end, record, { heapy: false, members: 'all' });
    if (record.kind !== LINE_OBJECT) return;
    const classAddress = hasInstanceClass(record) ? record.classText() : null;
    details.set(node, {
      address: addressOfWords(graph.lo[node] as number, graph.hi[node] as number),
      type: record.typeText(),
      className: classAddress === null ? null : (classNames.get(classAddress) ?? null),
      name: record.nameText(),
      file: record.fileText(),
      line: record.lineText(),
    });
  };
  if (file.gzip) await readFromStream(graph, file, wanted, take);
  else readByOffset(graph, file, wanted, take);
  return details;
}

function bare(graph: HeapGraph, node: number): NodeDetail {
  return { address: addressOfWords(graph.lo[node] as number, graph.hi[node] as number), type: null, className: null, name: null, file: null, line: null };
}

type Take = (bytes: Buffer, start: number, end: number, node: number) => void;

function readByOffset(graph: HeapGraph, file: DumpFile, wanted: readonly number[], take: Take): void {
  const fd = openSync(file.path, 'r');
  let buffer = Buffer.allocUnsafe(CHUNK);
  try {
    for (const node of wanted) {
      const offset = graph.offset[node] as number;
      let used = 0;
      let newline = -1;
      // Most lines are a few hundred bytes: read 4 KiB first, then twice as much each time.
      let want = FIRST_READ;
      while (newline < 0 && used < DETAIL_LINE_LIMIT) {
        if (used + want > buffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, used + want));
          buffer.copy(grown, 0, 0, used);
          buffer = grown;
        }
        const count = readSync(fd, buffer, used, want, offset + used);
        want *= 2;
        if (count === 0) break;
        newline = buffer.subarray(0, used + count).indexOf(0x0a, used);
        used += count;
      }
      if (newline < 0 && used >= DETAIL_LINE_LIMIT) continue;
      take(buffer, 0, newline < 0 ? used : newline, node);
      if (buffer.length > CHUNK * 16) buffer = Buffer.allocUnsafe(CHUNK);
    }
  } finally {
    closeSync(fd);
  }
}

async function readFromStream(graph: HeapGraph, file: DumpFile, wanted: readonly number[], take: Take): Promise<void> {
  const byOffset = new Map<number, number>();
  for (const node of wanted) byOffset.set(graph.offset[node] as number, node);
  await readLines(
    { path: file.path, label: file.label, gzip: true, start: 0, end: Number.POSITIVE_INFINITY, stripBom: true },
    {
      line(bytes, start, end, _unterminated, offset) {
        const node = byOffset.get(offset);
        if (node !== undefined) take(bytes, start, end, node);
      },
    },
    () => {},
  );
}
