import { GemleakError } from '../errors.js';
import { expectedObjects, report, requireJsonObjects, startRunner } from './diff.js';
import type { GraphPart } from './graph/collect.js';
import { MACHINE_STACK_ROOT, describePath, graphSummary, graphWarnings } from './graph/explain.js';
import { type HeapGraph, buildGraph, nodeAt } from './graph/graph.js';
import { addressWords } from './graph/references.js';
import { type DumpFile, inspectDump } from './input.js';
import type { ScanRunner } from './pool.js';
import { planRanges } from './ranges.js';
import type { GraphResult } from './scan-jobs.js';
import { mergeStats } from './scan-stats.js';
import type { DumpReport, DumpRole, GraphSummary, HeapWarning, PathHop, ProgressOptions } from './types.js';
import { readingWarnings } from './warnings.js';

export interface HeapPathOptions extends ProgressOptions {
  dump: { path: string; label: string };
  /** As Ruby prints it: `0x7f…`. */
  address: string;
}

export interface HeapPathResult {
  dump: DumpReport;
  graph: GraphSummary;
  address: string;
  /** The ROOT category the path starts from; null when no root reaches the object. */
  root: string | null;
  machineStack: boolean;
  /** From the object a root points at down to the object asked about (the last hop). */
  hops: PathHop[];
  warnings: HeapWarning[];
}

const ADDRESS = /^0x[0-9a-f]{1,16}$/;

/** `gemleak heap path DUMP ADDRESS`: the shortest path from a GC root to one object. */
export async function findRootPath(options: HeapPathOptions): Promise<HeapPathResult> {
  const address = options.address.trim().toLowerCase();
  if (!ADDRESS.test(address)) throw new GemleakError('HEAP_BAD_ADDRESS', `'${options.address}' is not an object address (like 0x7f3820a1b2c8, as the dump writes it)`, { exitCode: 2 });
  const canonical = `0x${address.slice(2).replace(/^0+(?=.)/, '')}`;
  const file = await inspectDump(options.dump);
  const runner = startRunner([file], options);
  try {
    const { graph, dump, classNames } = await readGraph(runner, file, 'dump', options.onGraphProgress);
    const warnings = [...readingWarnings(dump, false), ...graphWarnings(graph, dump)];
    const words = new Uint32Array(2);
    addressWords(canonical, words);
    const node = nodeAt(graph, words[0] as number, words[1] as number);
    if (node < 0) throw new GemleakError('HEAP_NO_SUCH_OBJECT', `holds no object at ${canonical}`, { file: options.dump.label });
    const path = await describePath(graph, file, node, classNames);
    return { dump, graph: graphSummary(graph, 'dump'), address: canonical, root: path.root, machineStack: path.root === MACHINE_STACK_ROOT, hops: path.hops, warnings };
  } finally {
    await runner.close();
  }
}

/** Reads a whole dump into its reference graph (in ranges, on the runner's threads). */
async function readGraph(
  runner: ScanRunner,
  file: DumpFile,
  role: DumpRole,
  progress?: ProgressOptions['onGraphProgress'],
): Promise<{ graph: HeapGraph; dump: DumpReport; classNames: Map<string, string> }> {
  const parts = await Promise.all(planRanges(file, runner.parallelism).map((source) => runner.run<GraphResult>({ kind: 'graph', source, expectedObjects: expectedObjects(file, source) })));
  const dump = report(role, file, mergeStats(parts.map((part) => part.stats)));
  requireJsonObjects(dump);
  const graph = buildGraph(
    parts.map((part): GraphPart => part.graph),
    progress,
  );
  return { graph, dump, classNames: new Map(parts.flatMap((part) => part.classNames)) };
}
