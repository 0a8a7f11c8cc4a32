import type { DumpFile } from '../input.js';
import type { DumpReport, DumpRole, GraphSummary, GroupRetainers, HeapWarning, PathHop, RetainerPath } from '../types.js';
import { readNodeDetails } from './details.js';
import { type HeapGraph, UNREACHED, depthOf } from './graph.js';
import { type GroupRetainerNodes, RetainerScratch, groupRetainers, pathTo, rootName } from './retainers.js';

/**
 * Turns the numbers of the retainer search into what a report shows: every hop of every path read
 * again from the dump (type, class, name, allocation file:line).
 */

export const MACHINE_STACK_ROOT = 'machine_context';

export async function explainGroups(graph: HeapGraph, file: DumpFile, members: readonly Int32Array[], classNames: ReadonlyMap<string, string>): Promise<GroupRetainers[]> {
  const scratch = new RetainerScratch(graph);
  const found = members.map((nodes) => groupRetainers(scratch, nodes));
  const wanted: number[] = [];
  for (const group of found) {
    wanted.push(...group.holderPath);
    for (const cluster of group.clusters) wanted.push(...cluster.path);
  }
  const details = await readNodeDetails(graph, file, wanted, classNames);
  return found.map((group) => describeGroup(graph, group, details));
}

function describeGroup(graph: HeapGraph, group: GroupRetainerNodes, details: ReadonlyMap<number, PathHop>): GroupRetainers {
  const hop = (node: number) => details.get(node) as PathHop;
  const clusters = group.clusters.map(
    (cluster): RetainerPath => ({
      count: cluster.count,
      root: cluster.rootCategory,
      machineStack: cluster.rootCategory === MACHINE_STACK_ROOT,
      hops: cluster.path.map(hop),
      holderIndex: cluster.holderIndex,
    }),
  );
  const holder =
    group.holder < 0
      ? null
      : {
          ...hop(group.holder),
          root: group.holderRoot ?? rootName(graph, group.holder),
          machineStack: group.holderRoot === MACHINE_STACK_ROOT,
          depth: depthOf(graph, group.holder),
          through: group.holderThrough,
          path: group.holderPath.map(hop),
        };
  return { objects: group.objects, reachable: group.reachable, holder, clusters, clusterCount: group.clusterCount };
}

/** The root path of one node, described. */
export async function describePath(graph: HeapGraph, file: DumpFile, node: number, classNames: ReadonlyMap<string, string>): Promise<{ root: string | null; hops: PathHop[] }> {
  const path = pathTo(graph, node);
  const nodes = path.length === 0 ? [node] : path;
  const details = await readNodeDetails(graph, file, nodes, classNames);
  return { root: graph.parent[node] === UNREACHED ? null : rootName(graph, node), hops: nodes.map((at) => details.get(at) as PathHop) };
}

export function graphSummary(graph: HeapGraph, role: DumpRole): GraphSummary {
  return {
    role,
    objects: graph.nodes,
    edges: graph.edges,
    rootEdges: graph.rootEdges,
    roots: graph.rootNames,
    reachable: graph.reachable,
    danglingReferences: graph.danglingReferences,
    unreadableReferences: graph.unreadableReferences,
  };
}

/**
 * What makes the paths of a dump doubtful, said once: no ROOT records (a `since:` partial dump),
 * lines that could not be read (objects missing from the graph), references to objects the dump
 * does not hold.
 */
export function graphWarnings(graph: HeapGraph, dump: DumpReport): HeapWarning[] {
  const warnings: HeapWarning[] = [];
  const at = (code: string, message: string) => warnings.push({ code, message, file: dump.label });
  if (graph.rootEdges === 0) {
    at('HEAP_NO_ROOTS', 'has no ROOT records (a partial dump_all(since: …) dump, or its first lines are missing), so no retainer path can be found: take a full ObjectSpace.dump_all for --why');
    return warnings;
  }
  const { stats } = dump;
  if (stats.badLines > 0 || stats.longLines > 0) {
    const lost = stats.badLines + stats.longLines;
    at(
      'HEAP_GRAPH_INCOMPLETE',
      `${lost === 1 ? '1 line' : `${lost} lines`} could not be read${stats.truncated ? ' (the dump is truncated)' : ''}: the objects on them are missing from the reference graph, so some paths may be missing or longer than in the process`,
    );
  }
  if (graph.unreadableReferences > 0) {
    at(
      'HEAP_UNREADABLE_REFERENCES',
      `${graph.unreadableReferences === 1 ? '1 object has' : `${graph.unreadableReferences} objects have`} a "references" member gemleak cannot read: their edges are left out of the graph`,
    );
  }
  if (graph.danglingReferences > 0 && stats.badLines + stats.longLines === 0) {
    at('HEAP_DANGLING_REFERENCES', `${graph.danglingReferences} references point at objects the dump does not hold: the dump may be incomplete, so some paths may be missing`);
  }
  return warnings;
}
