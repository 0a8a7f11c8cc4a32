import { HASH_SEED, finalizeHash, hashBytes, hashWord } from '../hash.js';
import { type HeapRecord, rangeEquals } from '../record.js';
import { GrowArray, type SharedColumn } from './grow-array.js';
import { forEachReference } from './references.js';

/**
 * The reference graph of one byte range of a dump, as columns of numbers: per object its address,
 * a hash of its allocation site (for clustering paths), its offset in the file (to read its line
 * again for display) and where its edges end; per edge the target address; per ROOT record edge its
 * category and target. No JS object per heap object.
 */
export interface GraphPart {
  nodeLo: SharedColumn;
  nodeHi: SharedColumn;
  nodeSite: SharedColumn;
  nodeOffset: SharedColumn;
  /** Cumulative: edges of node i are [edgeEnd[i-1], edgeEnd[i]) of this part's edge columns. */
  edgeEnd: SharedColumn;
  edgeLo: SharedColumn;
  edgeHi: SharedColumn;
  /** ROOT categories in order of first appearance in this part. */
  rootNames: string[];
  rootCategory: SharedColumn;
  rootLo: SharedColumn;
  rootHi: SharedColumn;
  /** Lines whose `references` could not be read (counted, then treated as having none). */
  unreadableReferences: number;
}

const ABSENT = 0x9e3779b9;
const TYPE_ROOT = Buffer.from('ROOT');

export class GraphCollector {
  private readonly nodeLo: GrowArray<'u32'>;
  private readonly nodeHi: GrowArray<'u32'>;
  private readonly nodeSite: GrowArray<'u32'>;
  private readonly nodeOffset: GrowArray<'f64'>;
  private readonly edgeEnd: GrowArray<'u32'>;
  private readonly edgeLo: GrowArray<'u32'>;
  private readonly edgeHi: GrowArray<'u32'>;
  private readonly rootNames: string[] = [];
  private readonly rootCategory = new GrowArray('u32', 1024);
  private readonly rootLo = new GrowArray('u32', 1024);
  private readonly rootHi = new GrowArray('u32', 1024);
  private unreadableReferences = 0;
  private readonly addEdge = (lo: number, hi: number) => {
    this.edgeLo.push(lo);
    this.edgeHi.push(hi);
  };

  constructor(expectedObjects: number) {
    const nodes = Math.max(1024, expectedObjects);
    this.nodeLo = new GrowArray('u32', nodes);
    this.nodeHi = new GrowArray('u32', nodes);
    this.nodeSite = new GrowArray('u32', nodes);
    this.nodeOffset = new GrowArray('f64', nodes);
    this.edgeEnd = new GrowArray('u32', nodes);
    this.edgeLo = new GrowArray('u32', nodes * 3);
    this.edgeHi = new GrowArray('u32', nodes * 3);
  }

  object(record: HeapRecord, offset: number): void {
    this.nodeLo.push(record.addrLo);
    this.nodeHi.push(record.addrHi);
    this.nodeSite.push(siteHash(record));
    this.nodeOffset.push(offset);
    const before = this.edgeLo.length;
    if (!forEachReference(record, this.addEdge)) {
      this.unreadableReferences += 1;
      this.edgeLo.length = before;
      this.edgeHi.length = before;
    }
    this.edgeEnd.push(this.edgeLo.length);
  }

  /** A line without an address: a ROOT record adds its references as root edges. */
  addressless(record: HeapRecord): void {
    if (!rangeEquals(record.bytes, record.typeStart, record.typeEnd, TYPE_ROOT)) return;
    const name = typeof record.parsed?.root === 'string' ? record.parsed.root : '(unnamed)';
    let category = this.rootNames.indexOf(name);
    if (category < 0) {
      category = this.rootNames.length;
      this.rootNames.push(name);
    }
    const ok = forEachReference(record, (lo, hi) => {
      this.rootCategory.push(category);
      this.rootLo.push(lo);
      this.rootHi.push(hi);
    });
    if (!ok) this.unreadableReferences += 1;
  }

  toPart(): GraphPart {
    return {
      nodeLo: this.nodeLo.toShared(),
      nodeHi: this.nodeHi.toShared(),
      nodeSite: this.nodeSite.toShared(),
      nodeOffset: this.nodeOffset.toShared(),
      edgeEnd: this.edgeEnd.toShared(),
      edgeLo: this.edgeLo.toShared(),
      edgeHi: this.edgeHi.toShared(),
      rootNames: this.rootNames,
      rootCategory: this.rootCategory.toShared(),
      rootLo: this.rootLo.toShared(),
      rootHi: this.rootHi.toShared(),
      unreadableReferences: this.unreadableReferences,
    };
  }
}

/** Type, file and line: what a hop of a retainer path is named by when paths are clustered. */
function siteHash(record: HeapRecord): number {
  const bytes = record.bytes;
  let hash = HASH_SEED;
  hash = record.typeStart < 0 ? hashWord(hash, ABSENT) : hashWord(hashBytes(bytes, record.typeStart, record.typeEnd, hash), record.typeEnd - record.typeStart);
  hash = record.fileStart < 0 ? hashWord(hash, ABSENT) : hashWord(hash ^ record.fileHash, record.fileEnd - record.fileStart);
  hash = record.lineStart < 0 ? hashWord(hash, ABSENT) : hashWord(hashBytes(bytes, record.lineStart, record.lineEnd, hash), record.lineEnd - record.lineStart);
  return finalizeHash(hash);
}
