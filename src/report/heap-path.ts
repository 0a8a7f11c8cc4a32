import type { HeapPathResult } from '../heap/path.js';
import type { PathHop } from '../heap/types.js';
import { hopText, objects, printable, rootText } from './heap-format.js';
import { dumpJson, hopJson, warningJson } from './heap-json.js';
import { createStyle } from './style.js';

export interface HeapPathTextOptions {
  color: boolean;
}

/** `heap path`: one object's shortest path from a GC root, one hop per line. */
export function renderHeapPathText(result: HeapPathResult, options: HeapPathTextOptions): string {
  const style = createStyle(options.color);
  const lines = [
    style.bold(`Root path of ${result.address} in ${printable(result.dump.label)}`),
    style.dim(`  ${objects(result.graph.objects)}, ${result.graph.reachable} reachable from the GC roots`),
    '',
  ];
  if (result.root === null) {
    lines.push(
      `No GC root reaches ${hopText(result.hops[0] ?? { address: result.address, type: null, className: null, name: null, file: null, line: null })}: garbage not collected yet, or held only through a class pointer (dumps do not list those).`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(`  ${rootText(result.root)}`);
  result.hops.forEach((hop, index) => {
    lines.push(`  ${'  '.repeat(index + 1)}→ ${hopText(hop)}  ${style.dim(hop.address)}`);
  });
  if (result.machineStack) lines.push('', 'The path starts from the machine stack, which Ruby scans conservatively: a C local or register may point at it only by chance.');
  return `${lines.join('\n')}\n`;
}

const HEAP_PATH_JSON_SCHEMA_VERSION = 1;

export function renderHeapPathJson(result: HeapPathResult, gemleakVersion: string): string {
  const document = {
    schema_version: HEAP_PATH_JSON_SCHEMA_VERSION,
    gemleak_version: gemleakVersion,
    dump: dumpJson(result.dump),
    address: result.address,
    reachable: result.root !== null,
    root_category: result.root,
    machine_stack: result.machineStack,
    path: result.root === null ? [] : [{ type: 'ROOT', root: result.root }, ...result.hops.map(hopJson)],
    object: result.hops.length === 0 ? null : hopJson(result.hops[result.hops.length - 1] as PathHop),
    warnings: result.warnings.map(warningJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
