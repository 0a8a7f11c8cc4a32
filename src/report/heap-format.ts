import type { HeapGroup, PathHop } from '../heap/types.js';

/**
 * Shared wording of heap groups in the text reports. A class is shown when it says more than the
 * type does: `OBJECT (Session)`, `STRING (ActiveSupport::SafeBuffer)`, but not `STRING (String)`.
 */
const CLASS_OF_TYPE: Record<string, string> = {
  STRING: 'String',
  ARRAY: 'Array',
  HASH: 'Hash',
  REGEXP: 'Regexp',
  FLOAT: 'Float',
  SYMBOL: 'Symbol',
  BIGNUM: 'Integer',
  RATIONAL: 'Rational',
  COMPLEX: 'Complex',
  MATCH: 'MatchData',
  FILE: 'File',
};

export const UNKNOWN_LOCATION = '(unknown location)';

export function typeAndClass(group: Pick<HeapGroup, 'type' | 'className'>): string {
  const type = printable(group.type ?? '(no type)');
  if (group.className === null || CLASS_OF_TYPE[type] === group.className) return type;
  return `${type} (${printable(group.className)})`;
}

export function location(group: Pick<HeapGroup, 'file' | 'line'>): string {
  if (group.file === null && group.line === null) return UNKNOWN_LOCATION;
  return printable(`${group.file ?? ''}:${group.line ?? ''}`);
}

export function objects(count: number): string {
  return count === 1 ? '1 object' : `${count} objects`;
}

/** `20540 bytes (20.1 KiB)`: exact bytes for tools and diffs, a rounded size for people. */
export function bytes(count: number): string {
  const exact = count === 1 ? '1 byte' : `${count} bytes`;
  if (count < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = count / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${exact} (${value.toFixed(1)} ${units[unit]})`;
}

/**
 * Text from a dump or a command line, made safe for a terminal: control characters (TAB, newline,
 * ESC, C1) are shown as escapes, so a file name cannot move the cursor, recolour the screen or
 * start a line that CI would read as a command.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => {
    if (char === '\t') return '\\t';
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** One hop of a retainer path: `HASH /app/cache.rb:12`, `CLASS PriceTable`, `ARRAY (no location)`. */
export function hopText(hop: PathHop): string {
  const what = typeAndClass(hop);
  const name = hop.name === null ? '' : ` ${printable(hop.name)}`;
  const where = hop.file === null && hop.line === null ? '' : ` ${location(hop)}`;
  return `${what}${name}${where}`;
}

/** What each ROOT category is, in words. */
export function rootText(root: string): string {
  switch (root) {
    case 'global_tbl':
      return 'ROOT global_tbl (a global variable)';
    case 'vm':
      return 'ROOT vm (the VM: constants, classes, threads)';
    case 'global_list':
      return 'ROOT global_list (a C global registered with the GC)';
    case 'machine_context':
      return 'ROOT machine_context (the machine stack, scanned conservatively)';
    default:
      return `ROOT ${printable(root)}`;
  }
}

/** The JSON form of `line`: a number when it is one (always, in real dumps), else null. */
export function lineNumber(line: string | null): number | null {
  if (line === null || !/^\d+$/.test(line)) return null;
  const value = Number(line);
  return Number.isSafeInteger(value) ? value : null;
}
