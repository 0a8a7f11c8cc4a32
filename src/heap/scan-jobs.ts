import { type Identity, addressText, identityTag } from './identity.js';
import { KeyTable, type SharedKeyTable, anyHas } from './key-table.js';
import { type LineSource, type ProgressReport, readLines } from './line-reader.js';
import { GroupIndex } from './group-index.js';
import { type ParseOptions, parseLine, readClassAndName } from './line-parser.js';
import { HeapRecord, LINE_NO_ADDRESS, LINE_OBJECT, TYPE_CLASS, TYPE_MODULE, TYPE_NONE, TYPE_ROOT } from './record.js';
import { type DumpScanStats, countBadLine, countObject, emptyStats } from './scan-stats.js';

/**
 * The units of work of a heap diff or summary. Each reads one byte range of one dump and returns
 * plain data (and shared tables), so it runs the same on the main thread or in a worker thread.
 */

export interface ScanSettings {
  identity: Identity;
  /** Read lines, free slots and missing addresses as heapy 0.2.0 does. */
  heapy: boolean;
}

/** Phase 1: the identities of the objects of A (or C), as a key table. */
export interface SetJob extends ScanSettings {
  kind: 'set';
  source: LineSource;
  /** A guess of the number of objects, so the table rarely has to grow. */
  expectedObjects: number;
}

export interface SetResult {
  table: SharedKeyTable;
  stats: DumpScanStats;
}

/** Phase 2: B's objects checked against A's (and C's) tables, the survivors tallied by group. */
export interface DiffJob extends ScanSettings {
  kind: 'diff';
  source: LineSource;
  before: SharedKeyTable[];
  retained: SharedKeyTable[] | null;
}

/** Objects of one group, as found in one range of B. */
export interface GroupTally {
  key: string;
  type: string | null;
  /** The `class` address; resolved to a name once all of B has been read. */
  classAddress: string | null;
  file: string | null;
  line: string | null;
  count: number;
  memsize: number;
  /** Offset in B of the group's first object: heapy orders ties by it. */
  firstOffset: number;
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
}

/** `heap summary`: one dump broken down by type, generation and allocation site. */
export interface SummaryJob {
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
  sites: GroupTally[];
  classNames: [string, string][];
}

export type ScanJob = SetJob | DiffJob | SummaryJob;
export type ScanResult = SetResult | DiffResult | SummaryResult;

export async function runScanJob(job: ScanJob, progress: ProgressReport): Promise<ScanResult> {
  switch (job.kind) {
    case 'set':
      return scanSet(job, progress);
    case 'diff':
      return scanDiff(job, progress);
    case 'summary':
      return scanSummary(job, progress);
  }
}

async function scanSet(job: SetJob, progress: ProgressReport): Promise<SetResult> {
  const stats = emptyStats();
  const table = new KeyTable(job.expectedObjects);
  const record = new HeapRecord();
  const options: ParseOptions = { heapy: job.heapy, members: 'identity' };
  const outcome = await readLines(
    job.source,
    {
      line(bytes, start, end, unterminated, _offset, lineNumber) {
        parseLine(bytes, start, end, record, options, unterminated);
        if (record.kind === LINE_OBJECT) {
          if (record.typeIs(TYPE_NONE)) {
            stats.freeSlots += 1;
            if (!job.heapy) return;
          }
          countObject(stats, record, lineNumber);
          table.add(record.addrLo, record.addrHi, identityTag(record, job.identity));
        } else if (record.kind === LINE_NO_ADDRESS) {
          countAddressless(stats, record);
          if (job.heapy) table.hasMissingAddress = true;
        } else {
          countBadLine(stats, record, lineNumber, unterminated);
        }
      },
    },
    progress,
  );
  stats.lines = outcome.lines;
  stats.bomStripped = outcome.bomStripped;
  return { table: table.toShared(), stats };
}

async function scanDiff(job: DiffJob, progress: ProgressReport): Promise<DiffResult> {
  const stats = emptyStats();
  const before = job.before.map((shared) => KeyTable.fromShared(shared));
  const retained = job.retained?.map((shared) => KeyTable.fromShared(shared)) ?? null;
  const beforeHasMissing = before.some((table) => table.hasMissingAddress);
  const retainedHasMissing = retained === null || retained.some((table) => table.hasMissingAddress);
  const groups = new GroupTallies(job.heapy);
  const classNames: [string, string][] = [];
  const record = new HeapRecord();
  const options: ParseOptions = { heapy: job.heapy, members: 'identity' };
  const result: DiffResult = { stats, inBefore: 0, allocated: 0, allocatedMemsize: 0, allocatedWithoutLocation: 0, groups: [], classNames };

  const tallyNew = (offset: number) => {
    result.allocated += 1;
    result.allocatedMemsize += record.memsize;
    if (record.fileStart < 0) result.allocatedWithoutLocation += 1;
    if (!job.heapy) readClassAndName(record);
    groups.add(record, offset);
  };

  const outcome = await readLines(
    job.source,
    {
      line(bytes, start, end, unterminated, offset, lineNumber) {
        parseLine(bytes, start, end, record, options, unterminated);
        if (record.kind === LINE_OBJECT) {
          if (record.typeIs(TYPE_NONE)) {
            stats.freeSlots += 1;
            if (!job.heapy) return;
          }
          countObject(stats, record, lineNumber);
          if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
          const tag = identityTag(record, job.identity);
          if (anyHas(before, record.addrLo, record.addrHi, tag)) {
            result.inBefore += 1;
            return;
          }
          if (retained !== null && !anyHas(retained, record.addrLo, record.addrHi, tag)) {
            countAllocatedOnly(result, record);
            return;
          }
          tallyNew(offset);
        } else if (record.kind === LINE_NO_ADDRESS) {
          countAddressless(stats, record);
          // heapy keys a missing address like any other value: B's ROOT lines count as new objects
          // when A has no line without an address.
          if (job.heapy && !beforeHasMissing) {
            if (retainedHasMissing) tallyNew(offset);
            else countAllocatedOnly(result, record);
          }
        } else {
          countBadLine(stats, record, lineNumber, unterminated);
        }
      },
    },
    progress,
  );
  stats.lines = outcome.lines;
  stats.bomStripped = outcome.bomStripped;
  result.groups = groups.all();
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
  private readonly heapyGroups = new Map<string, GroupTally>();

  constructor(private readonly heapy: boolean) {}

  add(record: HeapRecord, offset: number): void {
    const group = this.heapy ? this.heapyGroup(record, offset) : this.index.find(record, false, offset);
    group.count += 1;
    group.memsize += record.memsize;
  }

  all(): GroupTally[] {
    return this.heapy ? [...this.heapyGroups.values()] : this.index.tallies;
  }

  private heapyGroup(record: HeapRecord, offset: number): GroupTally {
    const type = record.typeText();
    const file = record.fileText();
    const line = record.lineText();
    const key = `${type ?? ''},${file ?? ''},${line ?? ''}`;
    const group = this.heapyGroups.get(key);
    if (group === undefined) {
      const created = { key, type, classAddress: null, file, line, count: 0, memsize: 0, firstOffset: offset };
      this.heapyGroups.set(key, created);
      return created;
    }
    // heapy shows, per field, the first non-null value of the group.
    group.type ??= type;
    group.file ??= file;
    group.line ??= line;
    return group;
  }
}

async function scanSummary(job: SummaryJob, progress: ProgressReport): Promise<SummaryResult> {
  const stats = emptyStats();
  const byType = new GroupIndex();
  const byGeneration = new Map<number, Tally>();
  const sites = new GroupTallies(false);
  const classNames: [string, string][] = [];
  const record = new HeapRecord();
  const options = { heapy: false };
  const outcome = await readLines(
    job.source,
    {
      line(bytes, start, end, unterminated, offset, lineNumber) {
        parseLine(bytes, start, end, record, options, unterminated);
        if (record.kind === LINE_OBJECT) {
          if (record.typeIs(TYPE_NONE)) {
            stats.freeSlots += 1;
            return;
          }
          countObject(stats, record, lineNumber);
          if (record.typeIs(TYPE_CLASS) || record.typeIs(TYPE_MODULE)) keepClassName(record, classNames);
          addTally(byType.find(record, true, 0), record.memsize);
          addTally(tallyOf(byGeneration, record.generation), record.memsize);
          sites.add(record, offset);
        } else if (record.kind === LINE_NO_ADDRESS) {
          countAddressless(stats, record);
        } else {
          countBadLine(stats, record, lineNumber, unterminated);
        }
      },
    },
    progress,
  );
  stats.lines = outcome.lines;
  stats.bomStripped = outcome.bomStripped;
  return {
    stats,
    byType: byType.tallies.map((tally): [string, Tally] => [tally.type ?? '', { count: tally.count, memsize: tally.memsize }]),
    byGeneration: [...byGeneration],
    sites: sites.all(),
    classNames,
  };
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
