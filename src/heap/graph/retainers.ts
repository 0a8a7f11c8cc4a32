import { type HeapGraph, UNREACHED, depthOf, rootCategoryOf } from './graph.js';

/**
 * Who keeps a group of objects alive, from the shortest paths the BFS found (graph.parent):
 * - paths are clustered by signature (root category, then the type/file/line of every hop), one
 *   representative path per cluster, largest cluster first (as memlab clusters retainer traces);
 * - the holder is the deepest object that lies on the paths of (nearly) all the objects: the one
 *   whose removal frees them. Its allocation line is where the leak is held, the line to fix.
 */

/** "Nearly all": the share of a group's reachable objects whose path must pass the holder. */
const HOLDER_SHARE = 0.9;
/** Clusters shown per group (the rest are counted). */
const CLUSTERS_SHOWN = 3;

interface ClusterNodes {
  count: number;
  /** Node indices from the root side to one object of the cluster (the last). */
  path: number[];
  /** Index in `path` of the cluster's holder, -1 when none. */
  holderIndex: number;
  rootCategory: string;
}

export interface GroupRetainerNodes {
  /** Objects of the group found in the graph's dump. */
  objects: number;
  /** Of those, the ones a GC root reaches. */
  reachable: number;
  holder: number;
  /** How many reachable objects' paths pass the holder. */
  holderThrough: number;
  holderRoot: string | null;
  /** Node indices from the root side down to the holder (inclusive). */
  holderPath: number[];
  clusters: ClusterNodes[];
  clusterCount: number;
}

/** Scratch space reused across groups, so a diff with thousands of groups allocates once. */
export class RetainerScratch {
  readonly counts: Int32Array;
  readonly touched: number[] = [];

  constructor(readonly graph: HeapGraph) {
    this.counts = new Int32Array(graph.nodes);
  }
}

export function groupRetainers(scratch: RetainerScratch, members: Int32Array): GroupRetainerNodes {
  const { graph } = scratch;
  const reached: number[] = [];
  let objects = 0;
  for (const node of members) {
    if (node < 0) continue;
    objects += 1;
    if (graph.parent[node] !== UNREACHED) reached.push(node);
  }
  const holder = deepestCommon(scratch, reached);
  const clusters = clusterPaths(scratch, reached);
  return {
    objects,
    reachable: reached.length,
    holder: holder.node,
    holderThrough: holder.through,
    holderRoot: holder.node < 0 ? null : rootName(graph, holder.node),
    holderPath: holder.node < 0 ? [] : pathTo(graph, holder.node),
    clusters: clusters.shown,
    clusterCount: clusters.total,
  };
}

/** The root path of one node (root side first), empty when no root reaches it. */
export function pathTo(graph: HeapGraph, node: number): number[] {
  if (graph.parent[node] === UNREACHED) return [];
  const path: number[] = [];
  for (let at = node; at >= 0; at = graph.parent[at] as number) path.push(at);
  return path.reverse();
}

export function rootName(graph: HeapGraph, node: number): string {
  return graph.rootNames[rootCategoryOf(graph, node)] ?? '(unknown)';
}

/**
 * The deepest proper ancestor that HOLDER_SHARE of the members' paths pass. Ancestors above half of
 * the members lie on one chain (two of them share members, so one is above the other), hence the
 * deepest one that qualifies is well defined.
 */
function deepestCommon(scratch: RetainerScratch, members: readonly number[]): { node: number; through: number } {
  const { graph, counts, touched } = scratch;
  if (members.length === 0) return { node: -1, through: 0 };
  for (const member of members) {
    for (let at = graph.parent[member] as number; at >= 0; at = graph.parent[at] as number) {
      if (counts[at] === 0) touched.push(at);
      counts[at] = (counts[at] as number) + 1;
    }
  }
  const needed = Math.ceil(members.length * HOLDER_SHARE);
  let best = -1;
  let bestDepth = 0;
  for (const node of touched) {
    if ((counts[node] as number) < needed) continue;
    const depth = depthOf(graph, node);
    if (best < 0 || depth > bestDepth) {
      best = node;
      bestDepth = depth;
    }
  }
  const through = best < 0 ? 0 : (counts[best] as number);
  for (const node of touched) counts[node] = 0;
  touched.length = 0;
  return { node: best, through };
}

function clusterPaths(scratch: RetainerScratch, members: readonly number[]): { shown: ClusterNodes[]; total: number } {
  const { graph } = scratch;
  const bySignature = new Map<number, { count: number; first: number; members: number[] }>();
  for (const member of members) {
    const key = signatureOf(graph, member);
    const cluster = bySignature.get(key);
    if (cluster === undefined) bySignature.set(key, { count: 1, first: member, members: [member] });
    else {
      cluster.count += 1;
      cluster.members.push(member);
    }
  }
  const ordered = [...bySignature.values()].sort((a, b) => b.count - a.count || depthOf(graph, a.first) - depthOf(graph, b.first));
  const shown = ordered.slice(0, CLUSTERS_SHOWN).map((cluster): ClusterNodes => {
    const path = pathTo(graph, cluster.first);
    const holder = deepestCommon(scratch, cluster.members);
    return { count: cluster.count, path, holderIndex: holder.node < 0 ? -1 : path.indexOf(holder.node), rootCategory: rootName(graph, cluster.first) };
  });
  return { shown, total: ordered.length };
}

/**
 * A 52-bit key of a path's shape: the root category and each hop's site hash, plus the length.
 * Two shapes sharing a key would need a 32-bit hash collision at the same depth.
 */
function signatureOf(graph: HeapGraph, node: number): number {
  let hash = 0x811c9dc5;
  let length = 0;
  let at = node;
  let last = node;
  while (at >= 0) {
    hash = Math.imul(hash ^ (graph.site[at] as number), 0x01000193) ^ (hash >>> 15);
    length += 1;
    last = at;
    at = graph.parent[at] as number;
  }
  hash = Math.imul(hash ^ (-2 - (graph.parent[last] as number)), 0x5bd1e995);
  return (hash >>> 0) * 1048576 + Math.min(length, 1048575);
}
