import path from 'node:path';
import { GemleakError } from '../errors.js';
import { mergeGroups } from './groups.js';
import type { Identity } from './identity.js';
import { type DumpFile, type DumpInput, inspectDump } from './input.js';
import type { SharedKeyTable } from './key-table.js';
import type { LineSource } from './line-reader.js';
import { type ScanRunner, chooseWorkerCount, createRunner } from './pool.js';
import { planRanges } from './ranges.js';
import type { DiffJob, DiffResult, SetJob, SetResult } from './scan-jobs.js';
import { mergeStats } from './scan-stats.js';
import type { DumpReport, DumpRole, HeapDiffOptions, HeapDiffResult, HeapWarning, ProgressOptions } from './types.js';
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
  const inputs: [DumpRole, DumpInput][] = [['A', options.before], ['B', options.after]];
  if (options.retained !== undefined) inputs.push(['C', options.retained]);
  const files = await Promise.all(inputs.map(([, input]) => inspectDump(input)));
  const [before, after, retained] = files as [DumpFile, DumpFile, DumpFile | undefined];
  const runner = startRunner(files, options);
  try {
    const settings = { identity, heapy };
    const setFiles = retained === undefined ? [before] : [before, retained];
    // Each range of A or C makes a table of its own, and B must look in each: splitting A and C
    // into more ranges than there are threads to share costs more in look-ups than it gains.
    const rangesPerSet = Math.max(1, Math.floor(runner.parallelism / setFiles.length));
    const sets = await Promise.all(setFiles.map((file) => readSet(runner, file, rangesPerSet, settings)));
    const [beforeSet, retainedSet] = sets as [ReadSet, ReadSet | undefined];
    const diffJobs: DiffJob[] = planRanges(after, runner.parallelism).map((source) => ({
      kind: 'diff',
      source: keepBomForHeapy(source, heapy),
      ...settings,
      before: beforeSet.tables,
      retained: retainedSet?.tables ?? null,
    }));
    const parts = await Promise.all(diffJobs.map((job) => runner.run<DiffResult>(job)));
    const dumps: DumpReport[] = [
      report('A', before, beforeSet.stats),
      report('B', after, mergeStats(parts.map((part) => part.stats))),
      ...(retained !== undefined && retainedSet !== undefined ? [report('C', retained, retainedSet.stats)] : []),
    ];
    for (const dump of dumps) requireJsonObjects(dump);
    const warnings = sameFileWarnings(files, dumps);
    return assemble(dumps, parts, warnings, { identity, heapy, threeWay: retained !== undefined });
  } finally {
    await runner.close();
  }
}

interface ReadSet {
  tables: SharedKeyTable[];
  stats: ReturnType<typeof mergeStats>;
}

/** Dumps run around 300 bytes per object; the tables grow if a dump has more. */
const BYTES_PER_OBJECT_GUESS = 400;
const GZIP_RATIO_GUESS = 12;

async function readSet(runner: ScanRunner, file: DumpFile, ranges: number, settings: { identity: Identity; heapy: boolean }): Promise<ReadSet> {
  const jobs: SetJob[] = planRanges(file, ranges).map((source) => ({
    kind: 'set',
    source: keepBomForHeapy(source, settings.heapy),
    ...settings,
    expectedObjects: Math.ceil(((source.end === Number.POSITIVE_INFINITY ? file.size * GZIP_RATIO_GUESS : source.end - source.start) / BYTES_PER_OBJECT_GUESS)),
  }));
  const results = await Promise.all(jobs.map((job) => runner.run<SetResult>(job)));
  return { tables: results.map((result) => result.table), stats: mergeStats(results.map((result) => result.stats)) };
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

/** A file in which no line is a JSON object is not a heap dump (a log, a lockfile, binary data). */
export function requireJsonObjects(dump: DumpReport): void {
  const { stats } = dump;
  if (stats.objects + stats.rootRecords + stats.addressless + stats.freeSlots > 0) return;
  throw new GemleakError('HEAP_NOT_A_DUMP', `no line is a JSON object (${stats.lines} lines read): not an ObjectSpace.dump_all file`, { file: dump.label });
}

function assemble(dumps: DumpReport[], parts: DiffResult[], inputWarnings: HeapWarning[], settings: { identity: Identity; heapy: boolean; threeWay: boolean }): HeapDiffResult {
  const classNames = new Map<string, string>();
  for (const part of parts) for (const [address, name] of part.classNames) classNames.set(address, name);
  const groups = mergeGroups(
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
