import { UsageError } from '../errors.js';
import { expectedObjects, report, requireJsonObjects, startRunner } from './diff.js';
import type { GraphPart } from './graph/collect.js';
import { readNodeDetails } from './graph/details.js';
import { MACHINE_STACK_ROOT, graphSummary, graphWarnings } from './graph/explain.js';
import { UNREACHED, buildGraph, nodeAt } from './graph/graph.js';
import { pathTo, rootName } from './graph/retainers.js';
import { GrowTable, type SharedGrowTable } from './grow-table.js';
import { type DumpFile, type DumpInput, inspectDump } from './input.js';
import { planRanges } from './ranges.js';
import type { GrowResult } from './scan-jobs.js';
import { mergeStats } from './scan-stats.js';
import type { DumpReport, GraphSummary, HeapWarning, PathHop, ProgressOptions } from './types.js';
import { readingWarnings } from './warnings.js';

/**
 * `gemleak heap grow D1 D2 … Dn`: containers present in every dump whose size never shrinks and
 * ends larger than it started: HASH by `size`, ARRAY by `length`, any other object by its number of
 * references. Objects are followed by address and allocation record (type alone when tracing was
 * off, as in production), so no allocation tracing is needed. Each dump is read once, in order,
 * keeping only the containers still growing; the last dump's graph gives each one's root path.
 */

export interface HeapGrowOptions extends ProgressOptions {
  dumps: DumpInput[];
  /** How many containers get a root path (largest growth first). Default 50. */
  limit?: number;
}

export interface GrowingContainer extends PathHop {
  first: number;
  last: number;
  /** What `first`/`last` count: `size` (HASH), `length` (ARRAY) or `references`. */
  measure: 'size' | 'length' | 'references';
  /** Root category of its shortest path in the last dump; null when no root reaches it. */
  root: string | null;
  machineStack: boolean;
  /** From the object a root points at, down to the container (the last hop). */
  path: PathHop[];
}

export interface HeapGrowResult {
  dumps: DumpReport[];
  graph: GraphSummary;
  /** Every container that grew. */
  growing: number;
  /** The first `limit` of them, largest growth first, with their paths. */
  containers: GrowingContainer[];
  warnings: HeapWarning[];
}

const DEFAULT_LIMIT = 50;
/** Below this share of the first dump's containers found again at their address, suspect compaction. */
const MATCHED_SHARE = 0.5;

export async function findGrowingContainers(options: HeapGrowOptions): Promise<HeapGrowResult> {
  if (options.dumps.length < 3) throw new UsageError('heap grow needs at least 3 dumps (oldest first): growth is only growth when it keeps going');
  const files = await Promise.all(options.dumps.map((input) => inspectDump(input)));
  const runner = startRunner(files, options);
  try {
    let previous: SharedGrowTable[] | null = null;
    const dumps: DumpReport[] = [];
    const warnings: HeapWarning[] = [];
    let last: GrowResult[] = [];
    for (const [index, file] of files.entries()) {
      const isLast = index === files.length - 1;
      const jobs = planRanges(file, runner.parallelism).map((source) => runner.run<GrowResult>({ kind: 'grow', source, previous, expectedObjects: expectedObjects(file, source), graph: isLast }));
      const parts = await Promise.all(jobs);
      const dump = report('dump', file, mergeStats(parts.map((part) => part.stats)));
      requireJsonObjects(dump);
      dumps.push(dump);
      warnings.push(...readingWarnings(dump, false), ...movedWarnings(file, parts, previous, index));
      previous = parts.map((part) => part.table);
      last = parts;
    }
    const graph = buildGraph(
      last.map((part) => part.graph as GraphPart),
      options.onGraphProgress,
    );
    const lastDump = dumps[dumps.length - 1] as DumpReport;
    warnings.push(...graphWarnings(graph, lastDump));
    const grown = collectGrown(previous ?? []);
    grown.sort((a, b) => b.last - b.first - (a.last - a.first) || b.last - a.last);
    const shown = grown.slice(0, options.limit ?? DEFAULT_LIMIT);
    const nodes = shown.map((entry) => nodeAt(graph, entry.lo, entry.hi));
    const paths = nodes.map((node) => (node < 0 ? [] : pathTo(graph, node)));
    const classNames = new Map(last.flatMap((part) => part.classNames));
    const details = await readNodeDetails(graph, files[files.length - 1] as DumpFile, [...nodes.filter((node) => node >= 0), ...paths.flat()], classNames);
    const containers = shown.map((entry, index): GrowingContainer => {
      const node = nodes[index] as number;
      const hop = node < 0 ? null : (details.get(node) as PathHop);
      const reached = node >= 0 && graph.parent[node] !== UNREACHED;
      const root = reached ? rootName(graph, node) : null;
      return {
        address: hop?.address ?? '',
        type: hop?.type ?? null,
        className: hop?.className ?? null,
        name: hop?.name ?? null,
        file: hop?.file ?? null,
        line: hop?.line ?? null,
        first: entry.first,
        last: entry.last,
        measure: hop?.type === 'HASH' ? 'size' : hop?.type === 'ARRAY' ? 'length' : 'references',
        root,
        machineStack: root === MACHINE_STACK_ROOT,
        path: (paths[index] as number[]).map((at) => details.get(at) as PathHop),
      };
    });
    return { dumps, graph: graphSummary(graph, 'dump'), growing: grown.length, containers, warnings };
  } finally {
    await runner.close();
  }
}

function collectGrown(tables: readonly SharedGrowTable[]): { lo: number; hi: number; first: number; last: number }[] {
  const grown: { lo: number; hi: number; first: number; last: number }[] = [];
  for (const shared of tables) {
    for (const [lo, hi, , first, last] of GrowTable.fromShared(shared).entries()) if (last > first) grown.push({ lo, hi, first, last });
  }
  return grown;
}

/** GC.compact moves objects to other addresses: a container that moved is not followed. */
function movedWarnings(file: DumpFile, parts: readonly GrowResult[], previous: SharedGrowTable[] | null, index: number): HeapWarning[] {
  const warnings: HeapWarning[] = [];
  const moved = parts.reduce((sum, part) => sum + part.movedSlots, 0);
  if (moved > 0) warnings.push({ code: 'HEAP_COMPACTION', message: `holds ${moved} MOVED records: GC.compact ran while it was written, so addresses are not reliable`, file: file.label });
  if (previous !== null && index === 1) {
    const before = previous.reduce((sum, table) => sum + table.size, 0);
    const matched = parts.reduce((sum, part) => sum + part.matched, 0);
    if (before >= 100 && matched / before < MATCHED_SHARE) {
      warnings.push({
        code: 'HEAP_ADDRESSES_MOVED',
        message: `only ${Math.round((matched / before) * 100)}% of the first dump's containers are at the same address here: GC.compact (or GC.auto_compact) probably moved objects between the dumps, and a moved container cannot be followed. Turn compaction off while taking the dumps, or take them closer together`,
        file: file.label,
      });
    }
  }
  return warnings;
}
