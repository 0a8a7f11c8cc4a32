import type { SelectedGroups } from '../heap/groups.js';
import type { CountAndSize, HeapSummaryResult } from '../heap/types.js';
import { bytes, location, objects, printable, typeAndClass } from './heap-format.js';
import { dumpJson, groupJson, warningJson } from './heap-json.js';
import { createStyle } from './style.js';

/** Above this many distinct generations, the text report groups them into ranges. */
const GENERATION_ROWS = 24;

export interface HeapSummaryTextOptions {
  color: boolean;
}

/** `heap summary`: one snapshot by type, by GC generation and by allocation site. */
export function renderHeapSummaryText(result: HeapSummaryResult, sites: SelectedGroups, options: HeapSummaryTextOptions): string {
  const style = createStyle(options.color);
  const { stats } = result.dump;
  const tracing = stats.withLocation === 0 ? 'off (no object carries a file/line)' : `on (${objects(stats.withLocation)} carry a file/line)`;
  const blocks = [
    [style.bold(`Heap summary of ${printable(result.dump.label)}`), `  ${objects(stats.objects)}, ${bytes(stats.memsize)} (memsize)`, `  Allocation tracing: ${tracing}`].join('\n'),
    table(
      'By type (largest first)',
      'type',
      result.byType.map((row) => [row.type, row]),
      style.bold,
    ),
    table('By GC generation (when allocated)', 'generation', generationRows(result.byGeneration), style.bold),
    siteLines(sites, style.bold, style.dim),
  ];
  return `${blocks.join('\n\n')}\n`;
}

type Row = [string, CountAndSize];

function table(title: string, heading: string, rows: Row[], bold: (text: string) => string): string {
  const nameWidth = Math.max(heading.length, ...rows.map(([name]) => name.length));
  const countWidth = Math.max(7, ...rows.map(([, row]) => String(row.count).length));
  const lines = [bold(title), `  ${heading.padEnd(nameWidth)}  ${'objects'.padStart(countWidth)}  bytes`];
  for (const [name, row] of rows) lines.push(`  ${name.padEnd(nameWidth)}  ${String(row.count).padStart(countWidth)}  ${bytes(row.memsize).replace(/ bytes?/, '')}`);
  return lines.join('\n');
}

/** Old generations hold the boot-time heap; a leak shows as recent generations that keep growing. */
function generationRows(rows: HeapSummaryResult['byGeneration']): Row[] {
  const untraced: Row[] = rows.filter((row) => row.generation === null).map((row) => ['(no allocation info)', row]);
  const traced = rows.filter((row): row is CountAndSize & { generation: number } => row.generation !== null);
  if (traced.length <= GENERATION_ROWS) return [...untraced, ...traced.map((row): Row => [String(row.generation), row])];
  const first = (traced[0] as { generation: number }).generation;
  const last = (traced[traced.length - 1] as { generation: number }).generation;
  const width = Math.ceil((last - first + 1) / GENERATION_ROWS);
  const buckets = new Map<number, CountAndSize>();
  for (const row of traced) {
    const bucket = first + Math.floor((row.generation - first) / width) * width;
    const tally = buckets.get(bucket) ?? { count: 0, memsize: 0 };
    tally.count += row.count;
    tally.memsize += row.memsize;
    buckets.set(bucket, tally);
  }
  return [...untraced, ...[...buckets].map(([start, tally]): Row => [`${start}-${Math.min(last, start + width - 1)}`, tally])];
}

function siteLines(sites: SelectedGroups, bold: (text: string) => string, dim: (text: string) => string): string {
  const lines = [bold(`Top allocation sites (${sites.shown.length} of ${sites.matching.length})`)];
  for (const site of sites.shown) lines.push(`  ${typeAndClass(site)} ${objects(site.count)} of size ${bytes(site.memsize)} at: ${location(site)}`);
  if (sites.hidden.groups > 0)
    lines.push(dim(`  … and ${sites.hidden.groups === 1 ? '1 more site' : `${sites.hidden.groups} more sites`} (${objects(sites.hidden.count)}, ${bytes(sites.hidden.memsize)}): --top N or --all`));
  return lines.join('\n');
}

const HEAP_SUMMARY_JSON_SCHEMA_VERSION = 1;

export function renderHeapSummaryJson(result: HeapSummaryResult, sites: SelectedGroups, gemleakVersion: string): string {
  const document = {
    schema_version: HEAP_SUMMARY_JSON_SCHEMA_VERSION,
    gemleak_version: gemleakVersion,
    dump: dumpJson(result.dump),
    by_type: result.byType.map((row) => ({ type: row.type, count: row.count, memsize: row.memsize })),
    by_generation: result.byGeneration.map((row) => ({ generation: row.generation, count: row.count, memsize: row.memsize })),
    sites: sites.matching.map(groupJson),
    warnings: result.warnings.map(warningJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
