import type { GraphPart } from './collect.js';
import { f64Column, u32Column } from './grow-array.js';

/**
 * The reference graph of one dump in typed arrays (compressed sparse rows), and the shortest
 * retainer path of every object from the GC roots, found by one breadth-first search.
 *
 * Root categories are not equal: `machine_context` is the conservatively scanned C stack (any word
 * that looks like a pointer), so among paths of the same length one from a global, a constant or
 * the VM is preferred. The search starts from the roots in that order, and a FIFO queue keeps the
 * order level by level, so a node's parent is always the best-ranked one at the shortest depth.
 */

/** parent[] of a node no root reaches. A node reached straight from a ROOT record of category c has parent -2 - c. */
export const UNREACHED = -1;

export interface HeapGraph {
  nodes: number;
  edges: number;
  lo: Uint32Array;
  hi: Uint32Array;
  site: Uint32Array;
  offset: Float64Array;
  /** Edges of node i: targets[rowStart[i] .. rowStart[i + 1]). */
  rowStart: Uint32Array;
  targets: Int32Array;
  rootNames: string[];
  /** Root edges to objects the dump does not hold, and object edges likewise. */
  danglingReferences: number;
  rootEdges: number;
  unreadableReferences: number;
  /** Objects listed twice (the same address): the first line counts. */
  duplicateAddresses: number;
  /**
   * BFS result: the previous node on the shortest root path, UNREACHED, or -2 - c for a node a ROOT
   * record of category c (index into rootNames) points at. Depth and root are found by walking up:
   * keeping them in arrays of their own costs more in cache misses during the search than it saves.
   */
  parent: Int32Array;
  reachable: number;
  /** address → node, open addressing, [lo, hi, node + 1] per slot; see nodeAt. */
  slots: Uint32Array;
}

/** Lower rank is preferred. Meaningful roots first, the conservative machine stack last. */
function rootRank(name: string): number {
  if (name === 'global_tbl') return 0;
  if (name === 'vm') return 1;
  if (name === 'global_list') return 2;
  if (name === 'machine_context') return 9;
  return 5;
}

/** Reports progress every this many steps (a step: one node indexed, one edge resolved, one node searched). */
const PROGRESS_STEP = 1 << 20;

export type GraphProgress = (done: number, total: number) => void;

export function buildGraph(parts: readonly GraphPart[], progress: GraphProgress = () => {}): HeapGraph {
  const nodes = parts.reduce((sum, part) => sum + part.nodeLo.length, 0);
  const edgeCount = parts.reduce((sum, part) => sum + part.edgeLo.length, 0);
  const steps = nodes * 2 + edgeCount;
  progress(0, steps);
  const lo = new Uint32Array(nodes);
  const hi = new Uint32Array(nodes);
  const site = new Uint32Array(nodes);
  const offset = new Float64Array(nodes);
  const rowStart = new Uint32Array(nodes + 1);
  let n = 0;
  let edgeBase = 0;
  for (const part of parts) {
    const count = part.nodeLo.length;
    lo.set(u32Column(part.nodeLo), n);
    hi.set(u32Column(part.nodeHi), n);
    site.set(u32Column(part.nodeSite), n);
    offset.set(f64Column(part.nodeOffset), n);
    const ends = u32Column(part.edgeEnd);
    for (let i = 0; i < count; i += 1) rowStart[n + i + 1] = edgeBase + (ends[i] as number);
    n += count;
    edgeBase += part.edgeLo.length;
  }
  const slots = new Uint32Array(capacityFor(nodes) * SLOT_WORDS);
  let duplicateAddresses = 0;
  for (let i = 0; i < nodes; i += 1) {
    if (!insert(slots, lo[i] as number, hi[i] as number, i)) duplicateAddresses += 1;
    if ((i & (PROGRESS_STEP - 1)) === 0) progress(i, steps);
  }

  const targets = new Int32Array(edgeCount);
  let dangling = 0;
  let e = 0;
  for (const part of parts) {
    const edgeLo = u32Column(part.edgeLo);
    const edgeHi = u32Column(part.edgeHi);
    for (let i = 0; i < edgeLo.length; i += 1) {
      const target = find(slots, edgeLo[i] as number, edgeHi[i] as number);
      if (target < 0) dangling += 1;
      targets[e] = target;
      e += 1;
      if ((e & (PROGRESS_STEP - 1)) === 0) progress(nodes + e, steps);
    }
  }
  const graph: HeapGraph = {
    nodes,
    edges: edgeCount,
    lo,
    hi,
    site,
    offset,
    rowStart,
    targets,
    rootNames: [],
    danglingReferences: dangling,
    rootEdges: 0,
    unreadableReferences: parts.reduce((sum, part) => sum + part.unreadableReferences, 0),
    duplicateAddresses,
    parent: new Int32Array(nodes).fill(UNREACHED),
    reachable: 0,
    slots,
  };
  searchFromRoots(graph, parts);
  progress(steps, steps);
  return graph;
}

/** The node at an address, or -1. */
export function nodeAt(graph: HeapGraph, addrLo: number, addrHi: number): number {
  return find(graph.slots, addrLo, addrHi);
}

function searchFromRoots(graph: HeapGraph, parts: readonly GraphPart[]): void {
  // Every ROOT edge, in rank order of its category (then dump order): the first BFS level.
  const names: string[] = [];
  const firstLevel: { rank: number; order: number; category: number; node: number }[] = [];
  let order = 0;
  for (const part of parts) {
    const categories = u32Column(part.rootCategory);
    const rootLo = u32Column(part.rootLo);
    const rootHi = u32Column(part.rootHi);
    for (let i = 0; i < categories.length; i += 1) {
      const name = part.rootNames[categories[i] as number] as string;
      let category = names.indexOf(name);
      if (category < 0) {
        category = names.length;
        names.push(name);
      }
      graph.rootEdges += 1;
      const node = nodeAt(graph, rootLo[i] as number, rootHi[i] as number);
      if (node < 0) graph.danglingReferences += 1;
      else firstLevel.push({ rank: rootRank(name), order, category, node });
      order += 1;
    }
  }
  graph.rootNames = names;
  firstLevel.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const { parent, rowStart, targets } = graph;
  const queue = new Int32Array(graph.nodes);
  // One bit per node for "seen": small enough to stay in cache, where parent[] would not.
  const seen = new Int32Array((graph.nodes >>> 5) + 1);
  let tail = 0;
  for (const entry of firstLevel) {
    if (parent[entry.node] !== UNREACHED) continue;
    parent[entry.node] = -2 - entry.category;
    seen[entry.node >>> 5] = (seen[entry.node >>> 5] as number) | (1 << (entry.node & 31));
    queue[tail] = entry.node;
    tail += 1;
  }
  for (let head = 0; head < tail; head += 1) {
    const node = queue[head] as number;
    const end = rowStart[node + 1] as number;
    for (let e = rowStart[node] as number; e < end; e += 1) {
      const target = targets[e] as number;
      if (target < 0) continue;
      const word = target >>> 5;
      const bit = 1 << (target & 31);
      const bits = seen[word] as number;
      if ((bits & bit) !== 0) continue;
      seen[word] = bits | bit;
      parent[target] = node;
      queue[tail] = target;
      tail += 1;
    }
  }
  graph.reachable = tail;
}

/** Hops from its ROOT record to a reachable node (1 for a node a root points at). */
export function depthOf(graph: HeapGraph, node: number): number {
  let depth = 1;
  for (let at = graph.parent[node] as number; at >= 0; at = graph.parent[at] as number) depth += 1;
  return depth;
}

/** Index into rootNames of the category a reachable node's path starts from. */
export function rootCategoryOf(graph: HeapGraph, node: number): number {
  let at = node;
  while ((graph.parent[at] as number) >= 0) at = graph.parent[at] as number;
  return -2 - (graph.parent[at] as number);
}

function capacityFor(count: number): number {
  let capacity = 1024;
  while (capacity < count * 2) capacity *= 2;
  return capacity;
}

/**
 * The address index keeps each key beside its node (one cache line per probe), and places objects
 * of one 64 KiB heap page in neighbouring slots, as KeyTable does: a dump lists objects page by
 * page, so building the index walks memory almost sequentially.
 */
const SLOT_WORDS = 3;

function slotOf(addrLo: number, addrHi: number, mask: number): number {
  const page = Math.imul((addrLo >>> 16) ^ Math.imul(addrHi, 0x85ebca6b), 0x9e3779b1);
  return (page + ((addrLo & 0xffff) >>> 3)) & mask;
}

function insert(slots: Uint32Array, addrLo: number, addrHi: number, node: number): boolean {
  const mask = slots.length / SLOT_WORDS - 1;
  let slot = slotOf(addrLo, addrHi, mask);
  for (;;) {
    const base = slot * SLOT_WORDS;
    const existing = slots[base + 2] as number;
    if (existing === 0) {
      slots[base] = addrLo;
      slots[base + 1] = addrHi;
      slots[base + 2] = node + 1;
      return true;
    }
    if (slots[base] === addrLo && slots[base + 1] === addrHi) return false;
    slot = (slot + 1) & mask;
  }
}

function find(slots: Uint32Array, addrLo: number, addrHi: number): number {
  const mask = slots.length / SLOT_WORDS - 1;
  let slot = slotOf(addrLo, addrHi, mask);
  for (;;) {
    const base = slot * SLOT_WORDS;
    const existing = slots[base + 2] as number;
    if (existing === 0) return -1;
    if (slots[base] === addrLo && slots[base + 1] === addrHi) return existing - 1;
    slot = (slot + 1) & mask;
  }
}
