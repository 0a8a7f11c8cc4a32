import path from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { GroupSelection } from '../../heap/groups.js';
import type { HeapWarning } from '../../heap/types.js';
import { type CliIo, useColor, warn, writeReport } from '../io.js';
import { type CommandContext, EXIT_CLEAN, collect, parseCount } from '../context.js';

/**
 * Declares `gemleak heap diff` and `gemleak heap summary`. Only option declarations live at the top:
 * `gemleak check` runs in every pre-commit and loads this file, so the heap code is imported inside
 * the actions.
 */

const DEFAULT_DIFF_TOP = 50;
/** --why unless --no-why: see docs/heap-diff.md for the measured cost that decided it. */
const WHY_BY_DEFAULT = false;
const DEFAULT_SUMMARY_TOP = 20;
/** Below this much input the diff is over before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

interface DiffFlags {
  format: 'text' | 'json';
  output?: string;
  top?: number;
  all?: boolean;
  sort?: 'count' | 'memsize';
  filter: string[];
  exclude: string[];
  identity?: 'strict' | 'address';
  compat?: 'heapy';
  progress: boolean;
  why?: boolean;
  outputRetained?: string;
}

type SummaryFlags = Omit<DiffFlags, 'identity' | 'compat' | 'why' | 'outputRetained'>;

interface PathFlags {
  format: 'text' | 'json';
  output?: string;
  progress: boolean;
}

interface GrowFlags extends PathFlags {
  top?: number;
}

export function registerHeap(program: Command, context: CommandContext): void {
  const heap = program
    .command('heap')
    .description('diff Ruby heap dumps (ObjectSpace.dump_all) to find what your own code leaks')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak heap diff heap-A.json heap-B.json heap-C.json --filter my_app
  $ gemleak heap diff heap-A.json heap-B.json heap-C.json --why      # and who holds each group
  $ gemleak heap path heap-C.json 0x7f3820a1b2c8                     # why one object is alive
  $ gemleak heap grow heap-1.json heap-2.json heap-3.json            # containers that keep growing
  $ gemleak heap summary heap-C.json`,
    );
  heap.action(() => heap.outputHelp());
  addSelectionOptions(
    heap
      .command('diff')
      .description('objects allocated between dumps A and B that are still alive in C (3-way), or allocated between A and B (2-way)')
      .argument('<A>', 'the first dump (before)')
      .argument('<B>', 'the second dump (after the work that grows memory)')
      .argument('[C]', 'the third dump (after more of the same work): reports what B added and C still holds')
      .addOption(new Option('--identity <mode>', 'match objects by address + allocation record, or by address only like heapy').choices(['strict', 'address']))
      .addOption(new Option('--compat <tool>', "print heapy 0.2.0's report lines byte for byte (address identity, every group, heapy's order)").choices(['heapy']))
      .option('--why', "who holds each group: its shortest path from a GC root in C's reference graph, and the holder (the line to fix)")
      .option('--no-why', 'skip the retainer paths')
      .option('--output-retained <file>', "write the raw dump line of every reported object to FILE (like heapy's --output_diff)"),
    DEFAULT_DIFF_TOP,
    'groups',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak heap diff heap-A.json heap-B.json heap-C.json                # retained objects, top 50 groups
  $ gemleak heap diff A.json.gz B.json.gz C.json.gz --filter app/ --exclude /gems/
  $ gemleak heap diff A.json B.json C.json --format json --output diff.json
  $ gemleak heap diff A.json B.json                                       # 2-way: everything allocated in between
  $ gemleak heap diff A.json B.json C.json --compat heapy                 # the lines heapy would print
  $ gemleak heap diff A.json B.json C.json --why                          # and who holds each group
  $ gemleak heap diff A.json B.json C.json --output-retained kept.ndjson  # the retained objects' lines

Dumps are NDJSON from ObjectSpace.dump_all, plain or gzipped. Take them with allocation tracing on:
  require "objspace"; ObjectSpace.trace_object_allocations_start

Exit codes: 0 the diff ran (whatever it found), 2 a dump could not be read or a bad flag.`,
    )
    .action(async (before: string, after: string, retained: string | undefined, flags: DiffFlags) => {
      await runHeapDiff(context, { before, after, retained }, flags);
    });
  addSelectionOptions(
    heap.command('summary').description('one dump broken down by type, by GC generation and by allocation site').argument('<dump>', 'a heap dump (plain or gzipped NDJSON)'),
    DEFAULT_SUMMARY_TOP,
    'allocation sites',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak heap summary heap-C.json
  $ gemleak heap summary heap-C.json.gz --top 50 --filter app/
  $ gemleak heap summary heap-C.json --format json --output summary.json

Exit codes: 0 the summary ran, 2 the dump could not be read or a bad flag.`,
    )
    .action(async (dump: string, flags: SummaryFlags) => {
      await runHeapSummary(context, dump, flags);
    });
  heap
    .command('path')
    .description('the shortest path from a GC root to one object of a dump (who keeps it alive)')
    .argument('<dump>', 'a full heap dump (plain or gzipped NDJSON, with ROOT records)')
    .argument('<address>', 'the object, as the dump writes it: 0x7f…')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak heap path heap-C.json 0x7f3820a1b2c8
  $ gemleak heap path heap-C.json.gz 0x7f3820a1b2c8 --format json

Addresses come from the dump itself, or from "sample_addresses" in heap diff --format json.
Exit codes: 0 the path was searched (found or not), 2 the dump could not be read, no such object, or a bad flag.`,
    )
    .action(async (dump: string, address: string, flags: PathFlags) => {
      await runHeapPath(context, dump, address, flags);
    });
  heap
    .command('grow')
    .description('containers (Hash, Array, objects with more and more references) that only grow across 3 or more dumps')
    .argument('<dumps...>', 'three or more dumps of one process, oldest first (allocation tracing not needed)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--top <n>', 'show the first N containers (default 20; JSON has up to 50)', parseCount('--top'))
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak heap grow heap-1.json heap-2.json heap-3.json
  $ gemleak heap grow prod-*.json.gz --format json

Works on production dumps taken without allocation tracing: containers are followed by address,
so GC.compact between the dumps hides them (gemleak warns when it sees that).
Exit codes: 0 the search ran (whatever it found), 2 a dump could not be read or a bad flag.`,
    )
    .action(async (dumps: string[], flags: GrowFlags) => {
      await runHeapGrow(context, dumps, flags);
    });
}

function addSelectionOptions(command: Command, defaultTop: number, what: string): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--top <n>', `show the first N ${what} (default ${defaultTop}; JSON always has all)`, parseCount('--top'))
    .option('--all', `show every one of the ${what}`)
    .addOption(new Option('--sort <key>', `order of the ${what} (default count)`).choices(['count', 'memsize']))
    .option('--filter <text>', `keep ${what} whose file contains TEXT (repeatable: any of them)`, collect, [])
    .option('--exclude <text>', `drop ${what} whose file contains TEXT (repeatable), e.g. /gems/`, collect, [])
    .option('--no-progress', 'no progress bar on stderr (it shows only on a terminal, for big dumps)');
}

async function runHeapDiff(context: CommandContext, names: { before: string; after: string; retained: string | undefined }, flags: DiffFlags): Promise<void> {
  const heapy = flags.compat === 'heapy';
  checkCompatFlags(flags);
  checkTop(flags.top);
  if (flags.why === true && names.retained === undefined) throw new UsageError('--why needs the third dump C: the holder is found in the reference graph of the dump that still holds the objects');
  const { io } = context;
  const progress = progressBar(io, flags.progress);
  const { diffHeapDumps } = await import('../../heap/diff.js');
  const { selectGroups } = await import('../../heap/groups.js');
  const result = await diffHeapDumps({
    before: dumpInput(io, names.before),
    after: dumpInput(io, names.after),
    retained: names.retained === undefined ? undefined : dumpInput(io, names.retained),
    identity: flags.identity ?? 'strict',
    heapy,
    why: flags.why ?? WHY_BY_DEFAULT,
    outputRetained: flags.outputRetained === undefined ? undefined : path.resolve(io.cwd, flags.outputRetained),
    onProgress: progress.update,
    onGraphProgress: progress.graph,
  }).finally(progress.done);
  await printWarnings(io, result.warnings);
  const selection: GroupSelection = { ...selectionOf(flags, DEFAULT_DIFF_TOP), ...(heapy ? { order: 'heapy' as const, top: null } : {}) };
  const selected = selectGroups(result.groups, selection);
  let text: string;
  const { HEAP_RENDERERS } = await import('../../report/index.js');
  if (flags.format === 'json') {
    const { GEMLEAK_VERSION } = await import('../../version.js');
    text = (await HEAP_RENDERERS.diffJson())(result, selected, { gemleakVersion: GEMLEAK_VERSION, filters: flags.filter, excludes: flags.exclude });
  } else if (heapy) {
    text = (await HEAP_RENDERERS.diffHeapy())(result, selected.shown);
  } else {
    text = (await HEAP_RENDERERS.diffText())(result, selected, { color: colorFor(io, flags), filters: flags.filter, excludes: flags.exclude });
  }
  await writeReport(context.io, text, flags.output);
  context.exitCode = EXIT_CLEAN;
}

/** heapy prints every group in its own order; options that change that would break the byte-for-byte promise. */
function checkCompatFlags(flags: DiffFlags): void {
  if (flags.compat !== 'heapy') return;
  const clashing = [
    flags.top !== undefined && '--top',
    flags.all === true && '--all',
    flags.sort !== undefined && '--sort',
    flags.identity === 'strict' && '--identity strict',
    flags.why === true && '--why',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (clashing.length > 0) throw new UsageError(`--compat heapy prints every group in heapy's order with address identity; drop ${clashing.join(', ')}`);
}

/** `--top 0` would print a report without a single group: almost certainly not what was meant. */
function checkTop(top: number | undefined): void {
  if (top === 0) throw new UsageError('--top 0 would show nothing: give 1 or more (--all shows everything; --format json always has every group)');
}

async function runHeapPath(context: CommandContext, dump: string, address: string, flags: PathFlags): Promise<void> {
  const { io } = context;
  const progress = progressBar(io, flags.progress);
  const { findRootPath } = await import('../../heap/path.js');
  const result = await findRootPath({ dump: dumpInput(io, dump), address, onProgress: progress.update, onGraphProgress: progress.graph }).finally(progress.done);
  await printWarnings(io, result.warnings);
  const report = await (await import('../../report/index.js')).HEAP_RENDERERS.path();
  let text: string;
  if (flags.format === 'json') {
    const { GEMLEAK_VERSION } = await import('../../version.js');
    text = report.renderHeapPathJson(result, GEMLEAK_VERSION);
  } else {
    text = report.renderHeapPathText(result, { color: colorFor(io, flags) });
  }
  await writeReport(context.io, text, flags.output);
  context.exitCode = EXIT_CLEAN;
}

const DEFAULT_GROW_TOP = 20;

async function runHeapGrow(context: CommandContext, dumps: string[], flags: GrowFlags): Promise<void> {
  const { io } = context;
  checkTop(flags.top);
  if (dumps.length < 3) throw new UsageError(`heap grow needs at least 3 dumps, oldest first (got ${dumps.length}): run gemleak heap grow --help`);
  const progress = progressBar(io, flags.progress);
  const { findGrowingContainers } = await import('../../heap/grow.js');
  const result = await findGrowingContainers({
    dumps: dumps.map((name) => dumpInput(io, name)),
    limit: Math.max(50, flags.top ?? 0),
    onProgress: progress.update,
    onGraphProgress: progress.graph,
  }).finally(progress.done);
  await printWarnings(io, result.warnings);
  const report = await (await import('../../report/index.js')).HEAP_RENDERERS.grow();
  let text: string;
  if (flags.format === 'json') {
    const { GEMLEAK_VERSION } = await import('../../version.js');
    text = report.renderHeapGrowJson(result, GEMLEAK_VERSION);
  } else {
    text = report.renderHeapGrowText(result, { color: colorFor(io, flags), top: flags.top ?? DEFAULT_GROW_TOP });
  }
  await writeReport(context.io, text, flags.output);
  context.exitCode = EXIT_CLEAN;
}

async function runHeapSummary(context: CommandContext, dump: string, flags: SummaryFlags): Promise<void> {
  const { io } = context;
  checkTop(flags.top);
  const progress = progressBar(io, flags.progress);
  const { summarizeHeapDump } = await import('../../heap/summary.js');
  const { selectGroups } = await import('../../heap/groups.js');
  const result = await summarizeHeapDump({ dump: dumpInput(io, dump), onProgress: progress.update }).finally(progress.done);
  await printWarnings(io, result.warnings);
  // Objects without an allocation record have no site to point at; the generation table counts them.
  const sites = selectGroups(
    result.sites.filter((site) => site.file !== null || site.line !== null),
    selectionOf(flags, DEFAULT_SUMMARY_TOP),
  );
  const report = await (await import('../../report/index.js')).HEAP_RENDERERS.summary();
  let text: string;
  if (flags.format === 'json') {
    const { GEMLEAK_VERSION } = await import('../../version.js');
    text = report.renderHeapSummaryJson(result, sites, GEMLEAK_VERSION);
  } else {
    text = report.renderHeapSummaryText(result, sites, { color: colorFor(io, flags) });
  }
  await writeReport(context.io, text, flags.output);
  context.exitCode = EXIT_CLEAN;
}

function selectionOf(flags: SummaryFlags, defaultTop: number): GroupSelection {
  return {
    order: flags.sort ?? 'count',
    filters: flags.filter,
    excludes: flags.exclude,
    top: flags.all === true ? null : (flags.top ?? defaultTop),
  };
}

function dumpInput(io: CliIo, name: string): { path: string; label: string } {
  if (name === '') throw new UsageError('a dump path is empty');
  return { path: path.resolve(io.cwd, name), label: name };
}

function colorFor(io: CliIo, flags: { output?: string }): boolean {
  return flags.output === undefined && useColor(io, 'stdout');
}

/** Control characters in file names (from the command line or a dump) are printed escaped. */
async function printWarnings(io: CliIo, warnings: readonly HeapWarning[]): Promise<void> {
  if (warnings.length === 0) return;
  // Loaded here, not at the top: `gemleak check` loads this file and must not load report code.
  const { printable } = await import('../../report/heap-format.js');
  for (const warning of warnings) warn(io, printable(warning.file === null ? warning.message : `${warning.file}: ${warning.message}`));
}

interface ProgressBar {
  update: (done: number, total: number) => void;
  /** The reference graph phase (after reading): drawn only when the reading was big enough for a bar. */
  graph: (done: number, total: number) => void;
  done: () => void;
}

/** A one-line bar on stderr, redrawn at most ten times a second; only on a terminal, only for big input. */
function progressBar(io: CliIo, wanted: boolean): ProgressBar {
  if (!wanted || !io.stderrIsTTY) return { update: () => {}, graph: () => {}, done: () => {} };
  let drawn = false;
  let lastDraw = 0;
  let big = false;
  const draw = (label: string, done: number, total: number, unit: string) => {
    const now = Date.now();
    if (now - lastDraw < 100 && done < total) return;
    lastDraw = now;
    drawn = true;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    io.stderr.write(`\r\u001b[Kgemleak: ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor((done / Math.max(total, 1)) * 100)}%${unit}`);
  };
  const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(0);
  return {
    update(done, total) {
      if (total < PROGRESS_MIN_BYTES) return;
      big = true;
      draw('reading dumps', done, total, ` ${mib(done)}/${mib(total)} MiB`);
    },
    graph(done, total) {
      if (big) draw('reference graph', done, total, '');
    },
    done() {
      if (drawn) io.stderr.write('\r\u001b[K');
    },
  };
}
