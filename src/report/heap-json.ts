import type { SelectedGroups } from '../heap/groups.js';
import type { DumpReport, GraphSummary, GroupRetainers, HeapDiffResult, HeapGroup, HeapWarning, PathHop } from '../heap/types.js';
import { lineNumber } from './heap-format.js';

/** Bumped only on breaking changes to the JSON shape; additions keep it. */
const HEAP_DIFF_JSON_SCHEMA_VERSION = 1;

export interface HeapJsonOptions {
  gemleakVersion: string;
  filters: readonly string[];
  excludes: readonly string[];
}

/**
 * `heap diff --format json`: every group that passes the filters (not only the top N), in report
 * order, with the summary and the warnings. Keys are snake_case and stable; see docs/heap-diff.md.
 */
export function renderHeapDiffJson(result: HeapDiffResult, selected: SelectedGroups, options: HeapJsonOptions): string {
  const document = {
    schema_version: HEAP_DIFF_JSON_SCHEMA_VERSION,
    gemleak_version: options.gemleakVersion,
    mode: result.mode,
    identity: result.identity,
    compat: result.heapy ? 'heapy' : null,
    dumps: result.dumps.map(dumpJson),
    summary: {
      allocated: result.allocated,
      retained: result.retained,
      groups: result.groups.length,
      matching: { groups: selected.matching.length, ...selected.matchingTotal },
    },
    filters: { filter: options.filters, exclude: options.excludes },
    retainer_graph: graphJson(result.graph),
    groups: selected.matching.map((group) => ({ ...groupJson(group), sample_addresses: group.sampleAddresses, ...retainersJson(group.retainers) })),
    warnings: result.warnings.map(warningJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function graphJson(graph: GraphSummary | null) {
  if (graph === null) return null;
  return {
    dump: graph.role,
    objects: graph.objects,
    references: graph.edges,
    root_references: graph.rootEdges,
    root_categories: graph.roots,
    reachable: graph.reachable,
    dangling_references: graph.danglingReferences,
    unreadable_references: graph.unreadableReferences,
  };
}

export function hopJson(hop: PathHop) {
  return { address: hop.address, type: hop.type, class: hop.className, name: hop.name, file: hop.file, line: lineNumber(hop.line) };
}

/** Without --why the keys are absent; with it, `holder` and `retainers` (see docs/heap-diff.md). */
function retainersJson(retainers: GroupRetainers | null) {
  if (retainers === null) return {};
  const { holder } = retainers;
  return {
    reachable: retainers.reachable,
    holder:
      holder === null
        ? null
        : {
            ...hopJson(holder),
            root_category: holder.root,
            machine_stack: holder.machineStack,
            depth: holder.depth,
            paths_through: holder.through,
            path: [{ type: 'ROOT', root: holder.root }, ...holder.path.map(hopJson)],
          },
    retainer_clusters: retainers.clusterCount,
    retainers: retainers.clusters.map((cluster) => ({
      count: cluster.count,
      root_category: cluster.root,
      machine_stack: cluster.machineStack,
      holder: cluster.holderIndex < 0 ? null : hopJson(cluster.hops[cluster.holderIndex] as PathHop),
      holder_index: cluster.holderIndex < 0 ? null : cluster.holderIndex + 1,
      path: [{ type: 'ROOT', root: cluster.root }, ...cluster.hops.map(hopJson)],
    })),
  };
}

export function dumpJson(dump: DumpReport) {
  const { stats } = dump;
  return {
    role: dump.role,
    path: dump.label,
    gzip: dump.gzip,
    bytes: dump.bytes,
    lines: stats.lines,
    objects: stats.objects,
    memsize: stats.memsize,
    with_location: stats.withLocation,
    max_generation: stats.maxGeneration < 0 ? null : stats.maxGeneration,
    bad_lines: stats.badLines,
    recovered_lines: stats.recoveredLines,
    free_slots: stats.freeSlots,
    truncated: stats.truncated,
  };
}

export function groupJson(group: HeapGroup) {
  return {
    type: group.type,
    class: group.className,
    file: group.file,
    line: lineNumber(group.line),
    count: group.count,
    memsize: group.memsize,
    vm_internal: group.vmInternal,
  };
}

export function warningJson(warning: HeapWarning) {
  return { code: warning.code, message: warning.message, file: warning.file };
}
