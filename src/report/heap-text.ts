import type { SelectedGroups } from '../heap/groups.js';
import type { GroupRetainers, HeapDiffResult, HeapGroup, PathHop } from '../heap/types.js';
import { UNKNOWN_LOCATION, bytes, hopText, location, objects, printable, rootText, typeAndClass } from './heap-format.js';
import { type Style, createStyle } from './style.js';

export interface HeapTextOptions {
  color: boolean;
  filters: readonly string[];
  excludes: readonly string[];
}

/**
 * The human report of a heap diff: what was read, how many objects are new and retained, then one
 * line per group, `Retained STRING 500 objects of size 20540 bytes at: app/models/user.rb:17`.
 */
export function renderHeapDiffText(result: HeapDiffResult, selected: SelectedGroups, options: HeapTextOptions): string {
  const style = createStyle(options.color);
  const blocks = [header(result, selected, options, style)];
  if (selected.shown.length > 0) blocks.push(groupLines(result, selected, style));
  else blocks.push(nothingFound(result, selected, options));
  if (onlyBookkeeping(result)) blocks.push('No growth between these dumps: only Ruby VM bookkeeping (inline caches) was retained, and that is bounded.');
  const why = whyNote(result);
  if (why !== null) blocks.push(style.dim(why));
  return `${blocks.join('\n\n')}\n`;
}

function header(result: HeapDiffResult, selected: SelectedGroups, options: HeapTextOptions, style: Style): string {
  const threeWay = result.mode === 'retained';
  const title = threeWay ? 'Heap diff (3-way): objects allocated between A and B that are still alive in C' : 'Heap diff (2-way): objects allocated between A and B';
  const width = Math.max(...result.dumps.map((dump) => dump.label.length));
  const lines = [style.bold(title)];
  for (const dump of result.dumps) lines.push(`  ${dump.role}  ${printable(dump.label).padEnd(width)}  ${objects(dump.stats.objects)}`);
  lines.push(`  Allocated between A and B: ${objects(result.allocated.count)}, ${bytes(result.allocated.memsize)}`);
  if (result.retained !== null) {
    lines.push(`  Retained in C:             ${objects(result.retained.count)}, ${bytes(result.retained.memsize)}, ${groups(result.groups.length)}`);
  } else {
    lines.push(`  In ${groups(result.groups.length)}`);
  }
  if (options.filters.length > 0 || options.excludes.length > 0) {
    const total = selected.matchingTotal;
    lines.push(`  Matching ${filterText(options)}: ${objects(total.count)}, ${bytes(total.memsize)}, ${groups(selected.matching.length)}`);
  }
  if (result.graph !== null) {
    const graph = result.graph;
    lines.push(style.dim(`  Retainers: ${graph.role}'s reference graph, ${objects(graph.objects)} (${graph.reachable} reachable from ${graph.rootEdges} root references), ${graph.edges} references`));
  }
  lines.push(style.dim(`  Identity: ${identityText(result)}`));
  return lines.join('\n');
}

function identityText(result: HeapDiffResult): string {
  if (result.heapy) return 'address only (--compat heapy)';
  if (result.identity === 'address') return 'address only (--identity address): a reused slot passes for the old object';
  return 'address + allocation record (type, file, line, generation): a reused slot is a new object';
}

function groupLines(result: HeapDiffResult, selected: SelectedGroups, style: Style): string {
  const word = result.mode === 'retained' ? 'Retained' : 'Allocated';
  const lines = selected.shown.flatMap((group) => [groupLine(word, group, style), ...(group.vmInternal ? [] : retainerLines(group.retainers, style))]);
  const { hidden } = selected;
  if (hidden.groups > 0) {
    lines.push(style.dim(`… and ${groups(hidden.groups)} more (${objects(hidden.count)}, ${bytes(hidden.memsize)}): --top N or --all to see them`));
  }
  if (selected.shown.some((group) => group.vmInternal)) {
    lines.push(style.dim('[VM] IMEMO groups are Ruby VM bookkeeping (inline method caches and the like): really retained, but bounded, not a leak.'));
  }
  if (selected.shown.some((group) => group.file === null && group.line === null)) {
    lines.push(style.dim(`${UNKNOWN_LOCATION}: allocated before allocation tracing started, or moved by GC.compact (Ruby before 3.4 then drops the record).`));
  }
  return lines.join('\n');
}

function groupLine(word: string, group: HeapGroup, style: Style): string {
  const note = group.vmInternal ? style.dim(' [VM]') : '';
  return `${word} ${typeAndClass(group)} ${objects(group.count)} of size ${bytes(group.memsize)} at: ${location(group)}${note}`;
}

const INDENT = '    ';

/** Under a group: who holds it (the line to look at), then the shortest root path of each cluster. */
function retainerLines(retainers: GroupRetainers | null, style: ReturnType<typeof createStyle>): string[] {
  if (retainers === null) return [];
  if (retainers.reachable === 0) {
    if (retainers.objects === 0) return [];
    return [
      `${INDENT}No GC root reaches ${retainers.objects === 1 ? 'this object' : `these ${retainers.objects} objects`} in C: garbage not collected yet, or held only through a class pointer (dumps do not list those)`,
    ];
  }
  const lines: string[] = [];
  const { holder } = retainers;
  if (holder === null) {
    lines.push(`${INDENT}No single object holds them: their root paths share no object (${retainers.clusterCount === 1 ? '1 path shape' : `${retainers.clusterCount} path shapes`})`);
  } else {
    const share =
      retainers.reachable === 1
        ? 'its root path passes through it'
        : `${holder.through === retainers.reachable ? `all ${retainers.reachable}` : `${holder.through} of ${retainers.reachable}`} root paths pass through it`;
    lines.push(`${INDENT}${style.bold(`Held by ${holderText(holder)}`)}: ${share}`);
    if (holder.machineStack) lines.push(`${INDENT}  (reached from the machine stack, a conservative scan: a C local or register may point at it only by chance)`);
  }
  for (const cluster of retainers.clusters) {
    const hops = [rootText(cluster.root), ...cluster.hops.map((hop, index) => (index === cluster.holderIndex ? `[${hopText(hop)}]` : hopText(hop)))];
    lines.push(`${INDENT}${objects(cluster.count)}: ${hops.join(' → ')}`);
  }
  const shownCount = retainers.clusters.reduce((sum, cluster) => sum + cluster.count, 0);
  if (retainers.clusterCount > retainers.clusters.length) {
    const more = retainers.clusterCount - retainers.clusters.length;
    lines.push(style.dim(`${INDENT}… and ${more === 1 ? '1 more path shape' : `${more} more path shapes`} (${objects(retainers.reachable - shownCount)}): --format json lists the holder of each`));
  }
  if (retainers.objects > retainers.reachable) lines.push(style.dim(`${INDENT}${objects(retainers.objects - retainers.reachable)} of the group no root reaches in C`));
  return lines;
}

function holderText(holder: PathHop): string {
  const what = `${typeAndClass(holder)}${holder.name === null ? '' : ` ${printable(holder.name)}`}`;
  if (holder.file === null && holder.line === null)
    return `${what} (no allocation file/line in the dump: made before allocation tracing started, or with tracing off; its path below says who holds it)`;
  return `${what} allocated at ${location(holder)}, the line to look at`;
}

/** Every retained group is an IMEMO: inline caches made on first calls, nothing that grows. */
function onlyBookkeeping(result: HeapDiffResult): boolean {
  return result.mode === 'retained' && result.groups.length > 0 && result.groups.every((group) => group.vmInternal);
}

function whyNote(result: HeapDiffResult): string | null {
  if (result.mode !== 'retained' || result.heapy || result.graph !== null || result.groups.length === 0) return null;
  return 'Who holds them? gemleak heap diff A B C --why shows the root path and the holder of each group.';
}

function nothingFound(result: HeapDiffResult, selected: SelectedGroups, options: HeapTextOptions): string {
  if (result.groups.length > 0 && selected.matching.length > 0) return `--top 0: no group shown (${groups(selected.matching.length)} match; --top N or --all to see them).`;
  if (result.groups.length > 0) return `No group matches ${filterText(options)}.`;
  return result.mode === 'retained' ? 'Nothing retained: no object allocated between A and B is still alive in C.' : 'Nothing allocated: B holds no object that A does not.';
}

function filterText(options: HeapTextOptions): string {
  return [...options.filters.map((text) => `--filter ${text}`), ...options.excludes.map((text) => `--exclude ${text}`)].join(' ');
}

function groups(count: number): string {
  return count === 1 ? '1 group' : `${count} groups`;
}
