import { closeSync, openSync, writeSync } from 'node:fs';
import { GraphCollector, type GraphPart } from './graph/collect.js';
import { GrowArray, type SharedColumn } from './graph/grow-array.js';
import { forEachReference } from './graph/references.js';
import { ClassNameTable, type SharedClassNames } from './class-name-table.js';
import { GroupIndex } from './group-index.js';
import { GrowTable, type SharedGrowTable } from './grow-table.js';
import { type Identity, addressText, identityTag } from './identity.js';
import { KeyTable, type SharedKeyTable, anyHas } from './key-table.js';
import { type LineSource, type ProgressReport, readLines } from './line-reader.js';
import { type ParseOptions, parseLine, readClassAndName } from './line-parser.js';
import { HeapRecord, LINE_NO_ADDRESS, LINE_OBJECT, TYPE_CLASS, TYPE_MODULE, TYPE_NONE, TYPE_ROOT } from './record.js';
import { type SharedSiteTable, SiteTable } from './site-table.js';
import { type DumpScanStats, countBadLine, countDuplicate, countLongLine, countObject, emptyStats } from './scan-stats.js';

/**
 * The units of work of a heap diff, summary, path or growth search. Each reads one byte range of
 * one dump and returns plain data (and shared tables), so it runs the same on the main thread or
 * in a worker thread.
 */

interface ScanSettings {
  identity: Identity;
  /** Read lines, free slots and missing addresses as heapy 0.2.0 does. */
  heapy: boolean;
}

/** Phase 1: the identities of the objects of A (or C), as a key table; with `graph`, C's references too. */
export interface SetJob extends ScanSettings {
  kind: 'set';
  source: LineSource;
  /** A guess of the number of objects, so the table rarely has to grow. */
  expectedObjects: number;
  graph: boolean;
}

export interface SetResult {
  table: SharedKeyTable;
  stats: DumpScanStats;
  graph: GraphPart | null;
  /** address → name of the CLASS and MODULE records (kept with `graph`). */
  classNames: [string, string][];
}

/** Phase 2: B's objects checked against A's (and C's) tables, the survivors tallied by group. */
export interface DiffJob extends ScanSettings {
  kind: 'diff';
  source: LineSource;
  before: SharedKeyTable[];
  retained: SharedKeyTable[] | null;
  /** Return the address of every reported object with its group (for retainer paths). */
  keepMembers: boolean;
  /** Write the raw line of every reported object to this file. */
  outputPath: string | null;
}

/** Objects of one group, as found in one range of B. */
export interface GroupTally {
  key: string;
  /** Position in the range's list of tallies. */
  index: number;
  type: string | null;
  /** The `class` address; resolved to a name once all of B has been read. */
  classAddress: string | null;
  file: string | null;
  line: string | null;
  count: number;
  memsize: number;
  /** Offset in B of the group's first object: heapy orders ties by it. */
  firstOffset: number;
  /** Addresses of the group's first few objects. */
  samples: string[];
}

export interface DiffResult {
  stats: DumpScanStats;
  /** B objects whose identity A also has. */
  inBefore: number;
  allocated: number;
  allocatedMemsize: number;
  allocatedWithoutLocation: number;
  groups: GroupTally[];
  /** address → name of the CLASS and MODULE records of this range. */
  classNames: [string, string][];
  /** With keepMembers: per reported object, its address and the index of its tally in `groups`. */
  members: { lo: SharedColumn; hi: SharedColumn; group: SharedColumn } | null;
}

/** `heap summary`: one dump broken down by type, generation and allocation site. */
interface SummaryJob {
  kind: 'summary';
  source: LineSource;
}

export interface Tally {
  count: number;
  memsize: number;
}

export interface SummaryResult {
  stats: DumpScanStats;
  byType: [string, Tally][];
  byGeneration: [number, Tally][];
  /** Flat tables (see SiteTable): a range's sites cost no object per site, here or in transit. */
  sites: SharedSiteTable;
  classNames: SharedClassNames;
}

/** `heap path`: the reference graph of one dump range. */
interface GraphJob {
  kind: 'graph';
  source: LineSource;
  expectedObjects: number;
}

export interface GraphResult {
  stats: DumpScanStats;
  graph: GraphPart;
  classNames: [string, string][];
}

/**
 * `heap grow`: the containers of one dump range with their size (HASH `size`, ARRAY `length`, any
 * other object's number of references). Without `previous` (the first dump) every container is
 * kept; otherwise only those `previous` holds whose size did not shrink.
 */
interface GrowJob {
  kind: 'grow';
  source: LineSource;
  previous: SharedGrowTable[] | null;
  expectedObjects: number;
  /** The last dump: also collect its graph, for the containers' root paths. */
  graph: boolean;
}

export interface GrowResult {
  stats: DumpScanStats;
  table: SharedGrowTable;
  /** Containers of `previous` found again at the same address (grown or not). */
  matched: number;
  /** `MOVED` records: slots GC.compact emptied (a dump taken mid-compaction). */
  movedSlots: number;
  graph: GraphPart | null;
  classNames: [string, string][];
}

export type ScanJob = SetJob | DiffJob | SummaryJob | GraphJob | GrowJob;
export type ScanResult = SetResult | DiffResult | SummaryResult | GraphResult | GrowResult;

export async function runScanJob(job: ScanJob, progress: ProgressReport): Promise<ScanResult> {
  switch (job.kind) {
    case 'set':
      return scanSet(job, progress);
    case 'diff':
      return scanDiff(job, progress);
    case 'summary':
      return scanSummary(job, progress);
    case 'graph':
      return scanGraph(job, progress);
    case 'grow':
      return scanGrow(job, progress);
  }
}

/** What each kind of scan does with the lines the shared loop classified. */
interface LineHandler {
  /** A heap object (free slots only when reading like heapy). Returns false for a repeated line, which is then not counted. */
  object(record: HeapRecord, offset: number, bytes: Buffer, start: number, end: number): boolean;
  /** A JSON object without an address (ROOT records and odd lines). */
  addressless?(record: HeapRecord, offset: number, bytes: Buffer, start: number, end: number): void;
}

/**
 * The one place that reads the lines of a dump range and sorts them into objects, free slots,
 * addressless records and bad lines, keeping the counts every report needs.
 */
async function scanLines(source: LineSource, options: ParseOptions, stats: DumpScanStats, handler: LineHandler, progress: ProgressReport): Promise<void> {
  const record = new HeapRecord();
  const outcome = await readLines(
    source,
    {
      line(bytes, start, end, unterminated, offset, lineNumber) {
        parseLine(bytes, start, end, record, options, unterminated);
        if (record.kind === LINE_OBJECT) {
          if (record.typeIs(TYPE_NONE)) {
            stats.freeSlots += 1;
            if (!options.heapy) return;
          }
          if (handler.object(record, offset, bytes, start, end)) countObject(stats, record, lineNumber);
          else countDuplicate(stats, lineNumber);
        } else if (record.kind === LINE_NO_ADDRESS) {
          countAddressless(stats, record);
          handler.addressless?.(record, offset, bytes, start, end);
        } else {
          countBadLine(stats, record, lineNumber, unterminated);
        }
      },
      longLine(lineNumber) {
        countLongLine(stats, lineNumber);
      },
    },
    progress,
  );
  stats.lines = outcome.lines;
  stats.bomStripped = outcome.bomStripped;
}

async function scanSet(job: SetJob, progress: ProgressReport): Promise<SetResult> {
  const stats = emptyStats();
  const table = new KeyTable(job.expectedObjects);
  const graph = job.graph ? new GraphCollector(job.expectedObjects) : null;
  const classNames: [string, string][] = [];
  await scanLines(
    job.source,
    { heapy: job.heapy, members: 'identity' },
    stats,
    {
      object(record, offset) {
        if (!table.add(record.addrLo, record.addrHi, identityTag(record, job.identity))) return false;
        if (graph !== null) {
          if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
          graph.object(record, offset);
        }
        return true;
      },
      addressless(record) {
        if (job.heapy) table.hasMissingAddress = true;
        graph?.addressless(record);
      },
    },
    progress,
  );
  return { table: table.toShared(), stats, graph: graph?.toPart() ?? null, classNames };
}

async function scanGraph(job: GraphJob, progress: ProgressReport): Promise<GraphResult> {
  const stats = emptyStats();
  const graph = new GraphCollector(job.expectedObjects);
  const classNames: [string, string][] = [];
  await scanLines(
    job.source,
    { heapy: false, members: 'identity' },
    stats,
    {
      object(record, offset) {
        if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
        graph.object(record, offset);
        return true;
      },
      addressless(record) {
        graph.addressless(record);
      },
    },
    progress,
  );
  return { stats, graph: graph.toPart(), classNames };
}

async function scanDiff(job: DiffJob, progress: ProgressReport): Promise<DiffResult> {
  const stats = emptyStats();
  const before = job.before.map((shared) => KeyTable.fromShared(shared));
  const retained = job.retained?.map((shared) => KeyTable.fromShared(shared)) ?? null;
  const beforeHasMissing = before.some((table) => table.hasMissingAddress);
  const retainedHasMissing = retained === null || retained.some((table) => table.hasMissingAddress);
  const groups = new GroupTallies(job.heapy);
  const classNames: [string, string][] = [];
  // The objects reported, seen once each: the same line written twice is one object.
  const reported = new KeyTable(1024);
  const members = job.keepMembers ? { lo: new GrowArray('u32', 1024), hi: new GrowArray('u32', 1024), group: new GrowArray('u32', 1024) } : null;
  const output = job.outputPath === null ? null : new LineWriter(job.outputPath);
  const result: DiffResult = { stats, inBefore: 0, allocated: 0, allocatedMemsize: 0, allocatedWithoutLocation: 0, groups: [], classNames, members: null };

  const tallyNew = (record: HeapRecord, offset: number, bytes: Buffer, start: number, end: number) => {
    countAllocatedOnly(result, record);
    if (!job.heapy) readClassAndName(record);
    const tally = groups.add(record, offset);
    if (members !== null) {
      members.lo.push(record.addrLo);
      members.hi.push(record.addrHi);
      members.group.push(tally.index);
    }
    output?.write(bytes, start, end);
  };

  try {
    await scanLines(
      job.source,
      { heapy: job.heapy, members: 'identity' },
      stats,
      {
        object(record, offset, bytes, start, end) {
          if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
          const tag = identityTag(record, job.identity);
          if (anyHas(before, record.addrLo, record.addrHi, tag)) {
            result.inBefore += 1;
            return true;
          }
          if (!job.heapy && !reported.add(record.addrLo, record.addrHi, tag)) return false;
          if (retained !== null && !anyHas(retained, record.addrLo, record.addrHi, tag)) {
            countAllocatedOnly(result, record);
            return true;
          }
          tallyNew(record, offset, bytes, start, end);
          return true;
        },
        addressless(record, offset, bytes, start, end) {
          // heapy keys a missing address like any other value: B's ROOT lines count as new objects
          // when A has no line without an address.
          if (job.heapy && !beforeHasMissing) {
            if (retainedHasMissing) tallyNew(record, offset, bytes, start, end);
            else countAllocatedOnly(result, record);
          }
        },
      },
      progress,
    );
  } finally {
    output?.close();
  }
  result.groups = groups.all();
  if (members !== null) result.members = { lo: members.lo.toShared(), hi: members.hi.toShared(), group: members.group.toShared() };
  return result;
}

function keepClassName(record: HeapRecord, classNames: [string, string][]): void {
  readClassAndName(record);
  const name = record.nameText();
  if (name !== null) classNames.push([addressText(record), name]);
}

function countAllocatedOnly(result: DiffResult, record: HeapRecord): void {
  result.allocated += 1;
  result.allocatedMemsize += record.memsize;
  if (record.fileStart < 0) result.allocatedWithoutLocation += 1;
}

function countAddressless(stats: DumpScanStats, record: HeapRecord): void {
  if (record.typeIs(TYPE_ROOT)) stats.rootRecords += 1;
  else stats.addressless += 1;
}

/**
 * heapy's group key is the text of type, file and line joined by commas (so `"line":1` and
 * `"line":"1"` share a group, and so would `a,b` + `c` and `a` + `b,c`). gemleak's keeps the
 * fields apart and adds the class.
 */
class GroupTallies {
  private readonly index = new GroupIndex();
  private readonly heapyGroups: GroupTally[] = [];
  private readonly heapyByKey = new Map<string, GroupTally>();

  constructor(private readonly heapy: boolean) {}

  add(record: HeapRecord, offset: number): GroupTally {
    const group = this.heapy ? this.heapyGroup(record, offset) : this.index.find(record, false, offset);
    group.count += 1;
    group.memsize += record.memsize;
    if (group.samples.length < SAMPLE_ADDRESSES && record.kind === LINE_OBJECT) group.samples.push(addressText(record));
    return group;
  }

  all(): GroupTally[] {
    return this.heapy ? this.heapyGroups : this.index.tallies;
  }

  private heapyGroup(record: HeapRecord, offset: number): GroupTally {
    const type = record.typeText();
    const file = record.fileText();
    const line = record.lineText();
    const key = `${type ?? ''},${file ?? ''},${line ?? ''}`;
    const group = this.heapyByKey.get(key);
    if (group === undefined) {
      const created: GroupTally = { key, index: this.heapyGroups.length, type, classAddress: null, file, line, count: 0, memsize: 0, firstOffset: offset, samples: [] };
      this.heapyByKey.set(key, created);
      this.heapyGroups.push(created);
      return created;
    }
    // heapy shows, per field, the first non-null value of the group.
    group.type ??= type;
    group.file ??= file;
    group.line ??= line;
    return group;
  }
}

/** Addresses kept per group, for users to look objects up (`gemleak heap path`). */
const SAMPLE_ADDRESSES = 5;

async function scanSummary(job: SummaryJob, progress: ProgressReport): Promise<SummaryResult> {
  const stats = emptyStats();
  const byType = new GroupIndex();
  const byGeneration = new Map<number, Tally>();
  const sites = new SiteTable();
  const classNames = new ClassNameTable();
  await scanLines(
    job.source,
    { heapy: false },
    stats,
    {
      object(record, offset) {
        if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) {
          readClassAndName(record);
          classNames.add(record);
        }
        addTally(byType.find(record, true, 0), record.memsize);
        addTally(tallyOf(byGeneration, record.generation), record.memsize);
        sites.add(record, offset);
        return true;
      },
    },
    progress,
  );
  return {
    stats,
    byType: byType.tallies.map((tally): [string, Tally] => [tally.type ?? '', { count: tally.count, memsize: tally.memsize }]),
    byGeneration: [...byGeneration],
    sites: sites.toShared(),
    classNames: classNames.toShared(),
  };
}

const TYPE_HASH = Buffer.from('HASH');
const TYPE_ARRAY = Buffer.from('ARRAY');
const TYPE_MOVED = Buffer.from('MOVED');

async function scanGrow(job: GrowJob, progress: ProgressReport): Promise<GrowResult> {
  const stats = emptyStats();
  const previous = job.previous?.map((shared) => GrowTable.fromShared(shared)) ?? null;
  const table = new GrowTable(previous === null ? job.expectedObjects : previous.reduce((sum, t) => sum + t.size, 0));
  const graph = job.graph ? new GraphCollector(job.expectedObjects) : null;
  const classNames: [string, string][] = [];
  const result = { matched: 0, movedSlots: 0 };
  let references = 0;
  const countReference = () => {
    references += 1;
  };
  await scanLines(
    job.source,
    { heapy: false, members: 'all' },
    stats,
    {
      object(record, offset) {
        if (graph !== null) {
          if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
          graph.object(record, offset);
        }
        if (record.typeIs(TYPE_MOVED)) result.movedSlots += 1;
        let size = record.length;
        if (size < 0 || !(record.typeIs(TYPE_HASH) || record.typeIs(TYPE_ARRAY))) {
          references = 0;
          if (!forEachReference(record, countReference)) return true;
          size = references;
        }
        const tag = identityTag(record, 'strict');
        if (previous === null) {
          if (size > 0 || record.typeIs(TYPE_HASH) || record.typeIs(TYPE_ARRAY)) table.set(record.addrLo, record.addrHi, tag, size, size);
          return true;
        }
        for (const earlier of previous) {
          const at = earlier.find(record.addrLo, record.addrHi, tag);
          if (at < 0) continue;
          result.matched += 1;
          if (size >= earlier.last(at)) table.set(record.addrLo, record.addrHi, tag, earlier.first(at), size);
          return true;
        }
        return true;
      },
      addressless(record) {
        graph?.addressless(record);
      },
    },
    progress,
  );
  return { stats, table: table.toShared(), matched: result.matched, movedSlots: result.movedSlots, graph: graph?.toPart() ?? null, classNames };
}

/** Buffered writes of raw dump lines (`--output-retained`), one file per range of B. */
class LineWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(1024 * 1024);
  private used = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(bytes: Buffer, start: number, end: number): void {
    const length = end - start + 1;
    if (this.used + length > this.buffer.length) this.flush();
    if (length > this.buffer.length) {
      writeSync(this.fd, bytes, start, end - start);
      writeSync(this.fd, '\n');
      return;
    }
    bytes.copy(this.buffer, this.used, start, end);
    this.buffer[this.used + length - 1] = 0x0a;
    this.used += length;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }
}

function tallyOf<K>(tallies: Map<K, Tally>, key: K): Tally {
  let tally = tallies.get(key);
  if (tally === undefined) {
    tally = { count: 0, memsize: 0 };
    tallies.set(key, tally);
  }
  return tally;
}

function addTally(tally: Tally, memsize: number): void {
  tally.count += 1;
  tally.memsize += memsize;
}
