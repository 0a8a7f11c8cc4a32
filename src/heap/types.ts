import type { Identity } from './identity.js';
import type { DumpInput } from './input.js';
import type { DumpScanStats } from './scan-stats.js';

export type DumpRole = 'A' | 'B' | 'C' | 'dump';

export interface ProgressOptions {
  /** Threads: a count, or 'auto' (threads for inputs of several megabytes). Default 'auto'. */
  workers?: number | 'auto';
  /** Called as bytes are read; `total` is the sum of the file sizes on disk. */
  onProgress?: (done: number, total: number) => void;
  /** Called while the reference graph is built and searched (`--why`, `path`, `grow`): steps done of total. */
  onGraphProgress?: (done: number, total: number) => void;
}

export interface HeapDiffOptions extends ProgressOptions {
  before: DumpInput;
  after: DumpInput;
  /** Given: a 3-way diff (retained objects). Absent: a 2-way diff (allocated objects). */
  retained?: DumpInput | undefined;
  /** Default 'strict'. */
  identity?: Identity;
  /** Reproduce heapy 0.2.0 exactly: address identity, its line reading, free slots as objects. */
  heapy?: boolean;
  /** Find who holds each group: retainer paths in the last dump's reference graph. Default false. */
  why?: boolean;
  /** Write the raw dump line of every reported object (from B) to this file. */
  outputRetained?: string | undefined;
}

/** One object on a retainer path, as its dump line describes it. */
export interface PathHop {
  address: string;
  type: string | null;
  className: string | null;
  /** `name` of a CLASS or MODULE. */
  name: string | null;
  file: string | null;
  line: string | null;
}

/** The shortest path from a GC root to one object of a cluster of same-shaped paths. */
export interface RetainerPath {
  /** Objects of the group whose path has this shape (root category, type/file/line of every hop). */
  count: number;
  /** The ROOT record's category (`vm`, `global_tbl`, `machine_context`…). */
  root: string;
  /** The path starts from the conservatively scanned machine stack. */
  machineStack: boolean;
  /** From the object the root points at, down to one object of the group (the last hop). */
  hops: PathHop[];
  /** Index in `hops` of the object that keeps the whole cluster alive, -1 when none does. */
  holderIndex: number;
}

export interface GroupRetainers {
  /** The group's objects found in the graph's dump, and how many of them a root reaches. */
  objects: number;
  reachable: number;
  /** The deepest object on (nearly) all the group's root paths: the line to look at. */
  holder: (PathHop & { root: string; machineStack: boolean; depth: number; through: number; path: PathHop[] }) | null;
  /** Largest first; at most a few. */
  clusters: RetainerPath[];
  clusterCount: number;
}

/** The reference graph the retainer paths come from. */
export interface GraphSummary {
  /** Role of the dump (C, or the only dump). */
  role: DumpRole;
  objects: number;
  edges: number;
  rootEdges: number;
  roots: string[];
  reachable: number;
  danglingReferences: number;
  unreadableReferences: number;
}

export interface DumpReport {
  role: DumpRole;
  /** As the user named it. */
  label: string;
  gzip: boolean;
  /** Bytes on disk. */
  bytes: number;
  stats: DumpScanStats;
}

/** Objects of one allocation site (and type, and class) that the diff reports. */
export interface HeapGroup {
  type: string | null;
  /** The class name, when the dump names the object's class. */
  className: string | null;
  file: string | null;
  /** As written in the dump (digits, normally). */
  line: string | null;
  count: number;
  memsize: number;
  /** Inline caches and other IMEMO records: really retained, but bounded VM bookkeeping. */
  vmInternal: boolean;
  /** Where the group's first object sits in B (heapy's tie order). */
  firstOffset: number;
  /** Addresses of a few of the group's objects (as in B, and in C for retained objects). */
  sampleAddresses: string[];
  /** With `why`: who holds the group. */
  retainers: GroupRetainers | null;
}

export interface HeapWarning {
  /** Stable, for tests and JSON consumers. */
  code: string;
  message: string;
  /** The dump concerned, as the user named it. */
  file: string | null;
}

export interface HeapDiffResult {
  mode: 'retained' | 'allocated';
  identity: Identity;
  heapy: boolean;
  dumps: DumpReport[];
  /** Objects of B that A does not have. */
  allocated: { count: number; memsize: number };
  /** Of those, the ones C still has (3-way only). */
  retained: { count: number; memsize: number } | null;
  /** The reported objects (retained in 3-way, allocated in 2-way), grouped, unordered. */
  groups: HeapGroup[];
  warnings: HeapWarning[];
  /** With `why`: the graph of C the paths come from (null without `why`, or when C has no roots). */
  graph: GraphSummary | null;
}

export interface HeapSummaryOptions extends ProgressOptions {
  dump: DumpInput;
}

export interface CountAndSize {
  count: number;
  memsize: number;
}

export interface HeapSummaryResult {
  dump: DumpReport;
  /** Largest first (by memsize). */
  byType: (CountAndSize & { type: string })[];
  /** Oldest first; `generation` null for objects without allocation info. */
  byGeneration: (CountAndSize & { generation: number | null })[];
  /** Allocation sites (type, class, file:line), unordered. */
  sites: HeapGroup[];
  warnings: HeapWarning[];
}
