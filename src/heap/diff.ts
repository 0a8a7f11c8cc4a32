import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GemleakError } from '../errors.js';
import type { GraphPart } from './graph/collect.js';
import { u32Column } from './graph/grow-array.js';
import { explainGroups, graphSummary, graphWarnings } from './graph/explain.js';
import { type HeapGraph, buildGraph, nodeAt } from './graph/graph.js';
import { mergeGroupsIndexed } from './groups.js';
import type { Identity } from './identity.js';
import { type DumpFile, type DumpInput, inspectDump } from './input.js';
import type { SharedKeyTable } from './key-table.js';
import { type LineSource, MAX_LINE_BYTES } from './line-reader.js';
import { type ScanRunner, chooseWorkerCount, createRunner } from './pool.js';
import { planRanges } from './ranges.js';
import type { DiffJob, DiffResult, SetJob, SetResult } from './scan-jobs.js';
import { mergeStats } from './scan-stats.js';
import type { DumpReport, DumpRole, GraphSummary, HeapDiffOptions, HeapDiffResult, HeapGroup, HeapWarning, ProgressOptions } from './types.js';
import { diffWarnings, readingWarnings } from './warnings.js';

/**
 * The three-way heap diff: objects of B that A does not have and C still has (or, without C, all
 * objects of B that A does not have), grouped by allocation site.
 *
 * Every file is read once. Phase 1 reads A and C at the same time, each into a compact table of
 * object identities; phase 2 reads B (split into byte ranges, one per thread) and checks each of
 * its objects against those tables. Only the survivors are grouped, so memory stays at the two
 * tables plus one read buffer per thread, whatever the size of the dumps.
 */
export async function diffHeapDumps(options: HeapDiffOptions): Promise<HeapDiffResult> {
  const identity: Identity = options.heapy ? 'address' : (options.identity ?? 'strict');
  const heapy = options.heapy ?? false;
  const why = (options.why ?? false) && options.retained !== undefined && !heapy;
  const inputs: [DumpRole, DumpInput][] = [
    ['A', options.before],
    ['B', options.after],
  ];
  if (options.retained !== undefined) inputs.push(['C', options.retained]);
  const files = await Promise.all(inputs.map(([, input]) => inspectDump(input)));
  const [before, after, retained] = files as [DumpFile, DumpFile, DumpFile | undefined];
  const runner = startRunner(files, options);
  const outputs: string[] = [];
  try {
    const settings = { identity, heapy };
    const setFiles = retained === undefined ? [before] : [before, retained];
    // Each range of A or C makes a table of its own, and B must look in each: splitting A and C
    // into more ranges than there are threads to share costs more in look-ups than it gains.
    const rangesPerSet = Math.max(1, Math.floor(runner.parallelism / setFiles.length));
    const sets = await Promise.all(setFiles.map((file, index) => readSet(runner, file, rangesPerSet, { ...settings, graph: why && index === 1 })));
    const [beforeSet, retainedSet] = sets as [ReadSet, ReadSet | undefined];
    const ranges = planRanges(after, runner.parallelism);
    if (options.outputRetained !== undefined) outputs.push(...ranges.map((_, index) => (ranges.length === 1 ? (options.outputRetained as string) : `${options.outputRetained}.part${index}`)));
    const diffJobs: DiffJob[] = ranges.map((source, index) => ({
      kind: 'diff',
      source: keepBomForHeapy(source, heapy),
      ...settings,
      before: beforeSet.tables,
      retained: retainedSet?.tables ?? null,
      keepMembers: why,
      outputPath: outputs[index] ?? null,
    }));
    const running = Promise.all(diffJobs.map((job) => runner.run<DiffResult>(job)));
    // The graph of C is built on this thread while the workers read B.
    const graph = why && retainedSet !== undefined ? buildGraphOf(retainedSet, running, options.onGraphProgress) : null;
    const parts = await running;
    const dumps: DumpReport[] = [
      report('A', before, beforeSet.stats),
      report('B', after, mergeStats(parts.map((part) => part.stats))),
      ...(retained !== undefined && retainedSet !== undefined ? [report('C', retained, retainedSet.stats)] : []),
    ];
    for (const dump of dumps) requireJsonObjects(dump);
    if (options.outputRetained !== undefined && outputs.length > 1) await joinParts(outputs, options.outputRetained);
    const warnings = sameFileWarnings(files, dumps);
    const { classNames, ...result } = assemble(dumps, parts, warnings, { identity, heapy, threeWay: retained !== undefined });
    if (graph !== null && retained !== undefined && retainedSet !== undefined) {
      const dumpC = dumps[2] as DumpReport;
      result.warnings.push(...graphWarnings(graph, dumpC));
      result.graph = graphSummary(graph, 'C');
      if (graph.rootEdges > 0) await explainRetained(graph, retained, result.groups, parts, retainedSet.classNames, classNames);
    }
    return result;
  } catch (error) {
    if (outputs.length > 1) for (const part of outputs) rmSync(part, { force: true });
    throw error;
  } finally {
    await runner.close();
  }
}

function buildGraphOf(set: ReadSet, running: Promise<unknown>, progress: ProgressOptions['onGraphProgress']): HeapGraph {
  // If B fails, its error is the one to report; the graph is not needed then.
  running.catch(() => {});
  return buildGraph(set.graphParts, progress);
}

async function joinParts(parts: readonly string[], target: string): Promise<void> {
  const out = createWriteStream(target);
  try {
    for (const part of parts) {
      await pipeline(createReadStream(part), out, { end: false });
      rmSync(part, { force: true });
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** Attaches to every group who holds it, from C's graph. */
async function explainRetained(
  graph: HeapGraph,
  file: DumpFile,
  groups: HeapGroup[],
  parts: readonly DiffResult[],
  classNamesC: ReadonlyMap<string, string>,
  classNamesB: ReadonlyMap<string, string>,
): Promise<void> {
  const { groups: merged, groupOf } = mergeGroupsIndexed(
    parts.map((part) => part.groups),
    classNamesB,
    false,
  );
  // `groups` is the merged list itself (assemble made it the same way); rebuild the member lists.
  const counts = new Int32Array(merged.length);
  const resolved = parts.map((part, partIndex) => {
    if (part.members === null) return { nodes: new Int32Array(0), groups: new Int32Array(0) };
    const lo = u32Column(part.members.lo);
    const hi = u32Column(part.members.hi);
    const tally = u32Column(part.members.group);
    const nodes = new Int32Array(lo.length);
    const owner = new Int32Array(lo.length);
    const map = groupOf[partIndex] as number[];
    for (let i = 0; i < lo.length; i += 1) {
      nodes[i] = nodeAt(graph, lo[i] as number, hi[i] as number);
      const group = map[tally[i] as number] as number;
      owner[i] = group;
      counts[group] = (counts[group] as number) + 1;
    }
    return { nodes, groups: owner };
  });
  const members = [...counts].map((count) => new Int32Array(count));
  const filled = new Int32Array(merged.length);
  for (const part of resolved) {
    for (let i = 0; i < part.nodes.length; i += 1) {
      const group = part.groups[i] as number;
      (members[group] as Int32Array)[filled[group] as number] = part.nodes[i] as number;
      filled[group] = (filled[group] as number) + 1;
    }
  }
  const names = new Map([...classNamesB, ...classNamesC]);
  const retainers = await explainGroups(graph, file, members, names);
  groups.forEach((group, index) => {
    const found = retainers[index] ?? null;
    // VM bookkeeping (inline caches) is held by the class or method it caches: no line to fix.
    group.retainers = found !== null && group.vmInternal ? { ...found, holder: null, clusters: found.clusters.map((cluster) => ({ ...cluster, holderIndex: -1 })) } : found;
  });
}

interface ReadSet {
  tables: SharedKeyTable[];
  stats: ReturnType<typeof mergeStats>;
  graphParts: GraphPart[];
  classNames: Map<string, string>;
}

/** Dumps run around 300 bytes per object; the tables grow if a dump has more. */
const BYTES_PER_OBJECT_GUESS = 400;
const GZIP_RATIO_GUESS = 12;

async function readSet(runner: ScanRunner, file: DumpFile, ranges: number, settings: { identity: Identity; heapy: boolean; graph: boolean }): Promise<ReadSet> {
  const jobs: SetJob[] = planRanges(file, ranges).map((source) => ({
    kind: 'set',
    source: keepBomForHeapy(source, settings.heapy),
    ...settings,
    expectedObjects: expectedObjects(file, source),
  }));
  const results = await Promise.all(jobs.map((job) => runner.run<SetResult>(job)));
  return {
    tables: results.map((result) => result.table),
    stats: mergeStats(results.map((result) => result.stats)),
    graphParts: results.flatMap((result) => (result.graph === null ? [] : [result.graph])),
    classNames: new Map(results.flatMap((result) => result.classNames)),
  };
}

export function expectedObjects(file: DumpFile, source: LineSource): number {
  return Math.ceil((source.end === Number.POSITIVE_INFINITY ? file.size * GZIP_RATIO_GUESS : source.end - source.start) / BYTES_PER_OBJECT_GUESS);
}

/** heapy's JSON parser cannot read a line that starts with a byte-order mark; neither does its mode. */
function keepBomForHeapy(source: LineSource, heapy: boolean): LineSource {
  return heapy ? { ...source, stripBom: false } : source;
}

export function startRunner(files: readonly DumpFile[], options: ProgressOptions): ScanRunner {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let done = 0;
  const onProgress = options.onProgress;
  const workers = chooseWorkerCount(options.workers ?? 'auto', total);
  return createRunner(workers, (bytes) => {
    done += bytes;
    onProgress?.(Math.min(done, total), total);
  });
}

export function report(role: DumpRole, file: DumpFile, stats: DumpReport['stats']): DumpReport {
  return { role, label: file.label, gzip: file.gzip, bytes: file.size, stats };
}

/**
 * A file without a single heap object or ROOT record is not a heap dump (a log, a README, a
 * lockfile, binary data). Read as A it would make the whole heap of B look new, so it is an error,
 * like an empty file.
 */
export function requireJsonObjects(dump: DumpReport): void {
  const { stats } = dump;
  if (stats.objects + stats.rootRecords + stats.freeSlots > 0) return;
  const read = stats.lines === 1 ? '1 line read' : `${stats.lines} lines read`;
  const long = stats.longLines > 0 ? `, ${stats.longLines} of them longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB and skipped` : '';
  const what = stats.addressless > 0 ? 'no heap object and no ROOT record' : 'no line is a JSON object';
  throw new GemleakError('HEAP_NOT_A_DUMP', `${what} (${read}${long}): not an ObjectSpace.dump_all file`, { file: dump.label });
}

function assemble(
  dumps: DumpReport[],
  parts: DiffResult[],
  inputWarnings: HeapWarning[],
  settings: { identity: Identity; heapy: boolean; threeWay: boolean },
): HeapDiffResult & { classNames: Map<string, string> } {
  const classNames = new Map<string, string>();
  for (const part of parts) for (const [address, name] of part.classNames) classNames.set(address, name);
  const { groups } = mergeGroupsIndexed(
    parts.map((part) => part.groups),
    classNames,
    settings.heapy,
  );
  const sum = (pick: (part: DiffResult) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const allocated = { count: sum((part) => part.allocated), memsize: sum((part) => part.allocatedMemsize) };
  const reported = groups.reduce((total, group) => ({ count: total.count + group.count, memsize: total.memsize + group.memsize }), { count: 0, memsize: 0 });
  const warnings: HeapWarning[] = [
    ...dumps.flatMap((dump) => readingWarnings(dump, settings.heapy)),
    ...inputWarnings,
    ...diffWarnings({
      dumps,
      inBefore: sum((part) => part.inBefore),
      allocated: allocated.count,
      allocatedWithoutLocation: sum((part) => part.allocatedWithoutLocation),
    }),
  ];
  return {
    mode: settings.threeWay ? 'retained' : 'allocated',
    identity: settings.identity,
    heapy: settings.heapy,
    dumps,
    allocated,
    retained: settings.threeWay ? reported : null,
    groups,
    warnings,
    graph: null as GraphSummary | null,
    classNames,
  };
}

function sameFileWarnings(files: readonly DumpFile[], dumps: readonly DumpReport[]): HeapWarning[] {
  const warnings: HeapWarning[] = [];
  for (let i = 0; i < files.length; i += 1) {
    for (let j = i + 1; j < files.length; j += 1) {
      const first = dumps[i] as DumpReport;
      const second = dumps[j] as DumpReport;
      if (path.resolve((files[i] as DumpFile).path) === path.resolve((files[j] as DumpFile).path)) {
        warnings.push({ code: 'HEAP_SAME_FILE', message: `${first.role} and ${second.role} are the same file: take a separate dump for each`, file: second.label });
      }
    }
  }
  return warnings;
}
