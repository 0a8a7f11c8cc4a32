import type { GrowingContainer, HeapGrowResult } from '../heap/grow.js';
import { hopText, printable, rootText } from './heap-format.js';
import { dumpJson, hopJson, warningJson } from './heap-json.js';
import { createStyle } from './style.js';

export interface HeapGrowTextOptions {
  color: boolean;
  top: number;
}

/** `heap grow`: containers that only grew, largest growth first, each with its root path. */
export function renderHeapGrowText(result: HeapGrowResult, options: HeapGrowTextOptions): string {
  const style = createStyle(options.color);
  const lines = [style.bold(`Heap growth across ${result.dumps.length} dumps: containers present in every dump whose size only grew`)];
  for (const [index, dump] of result.dumps.entries()) lines.push(`  ${index + 1}  ${printable(dump.label)}  ${dump.stats.objects === 1 ? '1 object' : `${dump.stats.objects} objects`}`);
  lines.push('');
  if (result.containers.length === 0) {
    lines.push('No container grew in every step: no growth between these dumps.');
    return `${lines.join('\n')}\n`;
  }
  const shown = result.containers.slice(0, options.top);
  for (const container of shown) lines.push(...containerLines(container, style));
  const more = result.growing - shown.length;
  if (more > 0) lines.push(style.dim(`… and ${more === 1 ? '1 more container' : `${more} more containers`}: --top N to see more (--format json has up to 50)`));
  return `${lines.join('\n')}\n`;
}

function containerLines(container: GrowingContainer, style: ReturnType<typeof createStyle>): string[] {
  const what = hopText(container);
  const where = container.file === null && container.line === null ? ' (no allocation file/line: tracing was off when it was made)' : '';
  const lines = [`${style.bold(what)}${where}: ${container.measure} ${container.first} → ${container.last} (+${container.last - container.first})  ${style.dim(container.address)}`];
  if (container.root === null) lines.push('    no GC root reaches it in the last dump');
  else {
    const held = container.path.slice(0, -1).map(hopText);
    lines.push(`    held via: ${[rootText(container.root), ...held].join(' → ')}`);
    if (container.machineStack) lines.push('    (from the machine stack, scanned conservatively: possibly held only by chance)');
  }
  return lines;
}

const HEAP_GROW_JSON_SCHEMA_VERSION = 1;

export function renderHeapGrowJson(result: HeapGrowResult, gemleakVersion: string): string {
  const document = {
    schema_version: HEAP_GROW_JSON_SCHEMA_VERSION,
    gemleak_version: gemleakVersion,
    dumps: result.dumps.map(dumpJson),
    growing: result.growing,
    containers: result.containers.map((container) => ({
      ...hopJson(container),
      measure: container.measure,
      first: container.first,
      last: container.last,
      growth: container.last - container.first,
      root_category: container.root,
      machine_stack: container.machineStack,
      path: container.root === null ? [] : [{ type: 'ROOT', root: container.root }, ...container.path.map(hopJson)],
    })),
    warnings: result.warnings.map(warningJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
