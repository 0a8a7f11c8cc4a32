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

/** parent[] of a node reached straight from a ROOT record. */
export const FROM_ROOT = -1;
/** parent[] of a node no root reaches. */
export const UNREACHED = -2;

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
  /** BFS results. */
  parent: Int32Array;
  /** Index into rootNames of the root category a node's path starts from. */
  rootOf: Uint8Array;
  depth: Uint32Array;
  reachable: number;
  /** address → node, open addressing; see nodeAt. */
  slots: Int32Array;
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
  const slots = new Int32Array(capacityFor(nodes)).fill(-1);
  let duplicateAddresses = 0;
  for (let i = 0; i < nodes; i += 1) {
    if (!insert(slots, lo, hi, i)) duplicateAddresses += 1;
    if ((i & (PROGRESS_STEP - 1)) === 0) progress(i, steps);
  }

  const targets = new Int32Array(edgeCount);
  let dangling = 0;
  let e = 0;
  for (const part of parts) {
    const edgeLo = u32Column(part.edgeLo);
    const edgeHi = u32Column(part.edgeHi);
    for (let i = 0; i < edgeLo.length; i += 1) {
      const target = find(slots, lo, hi, edgeLo[i] as number, edgeHi[i] as number);
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
    rootOf: new Uint8Array(nodes),
    depth: new Uint32Array(nodes),
    reachable: 0,
    slots,
  };
  searchFromRoots(graph, parts);
  progress(steps, steps);
  return graph;
}

/** The node at an address, or -1. */
export function nodeAt(graph: HeapGraph, addrLo: number, addrHi: number): number {
  return find(graph.slots, graph.lo, graph.hi, addrLo, addrHi);
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
  graph.rootNames = names.slice(0, 255);
  firstLevel.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const { parent, rootOf, depth, rowStart, targets } = graph;
  const queue = new Int32Array(graph.nodes);
  let tail = 0;
  for (const entry of firstLevel) {
    if (parent[entry.node] !== UNREACHED) continue;
    parent[entry.node] = FROM_ROOT;
    rootOf[entry.node] = Math.min(entry.category, 254);
    depth[entry.node] = 1;
    queue[tail] = entry.node;
    tail += 1;
  }
  for (let head = 0; head < tail; head += 1) {
    const node = queue[head] as number;
    const next = (depth[node] as number) + 1;
    const root = rootOf[node] as number;
    const end = rowStart[node + 1] as number;
    for (let e = rowStart[node] as number; e < end; e += 1) {
      const target = targets[e] as number;
      if (target < 0 || parent[target] !== UNREACHED) continue;
      parent[target] = node;
      rootOf[target] = root;
      depth[target] = next;
      queue[tail] = target;
      tail += 1;
    }
  }
  graph.reachable = tail;
}

function capacityFor(count: number): number {
  let capacity = 1024;
  while (capacity < count * 2) capacity *= 2;
  return capacity;
}

function slotOf(addrLo: number, addrHi: number, mask: number): number {
  return Math.imul((addrLo >>> 3) ^ Math.imul(addrHi, 0x85ebca6b), 0x9e3779b1) & mask;
}

function insert(slots: Int32Array, lo: Uint32Array, hi: Uint32Array, node: number): boolean {
  const mask = slots.length - 1;
  const addrLo = lo[node] as number;
  const addrHi = hi[node] as number;
  let slot = slotOf(addrLo, addrHi, mask);
  for (;;) {
    const existing = slots[slot] as number;
    if (existing < 0) {
      slots[slot] = node;
      return true;
    }
    if (lo[existing] === addrLo && hi[existing] === addrHi) return false;
    slot = (slot + 1) & mask;
  }
}

function find(slots: Int32Array, lo: Uint32Array, hi: Uint32Array, addrLo: number, addrHi: number): number {
  const mask = slots.length - 1;
  let slot = slotOf(addrLo, addrHi, mask);
  for (;;) {
    const existing = slots[slot] as number;
    if (existing < 0) return -1;
    if (lo[existing] === addrLo && hi[existing] === addrHi) return existing;
    slot = (slot + 1) & mask;
  }
}
