import type { HeapGroup } from '../heap/types.js';

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

export function typeAndClass(group: HeapGroup): string {
  const type = group.type ?? '(no type)';
  if (group.className === null || CLASS_OF_TYPE[type] === group.className) return type;
  return `${type} (${group.className})`;
}

export function location(group: HeapGroup): string {
  if (group.file === null && group.line === null) return UNKNOWN_LOCATION;
  return `${group.file ?? ''}:${group.line ?? ''}`;
}

export function objects(count: number): string {
  return count === 1 ? '1 object' : `${count} objects`;
}

/** The JSON form of `line`: a number when it is one (always, in real dumps), else null. */
export function lineNumber(line: string | null): number | null {
  if (line === null || !/^\d+$/.test(line)) return null;
  const value = Number(line);
  return Number.isSafeInteger(value) ? value : null;
}
