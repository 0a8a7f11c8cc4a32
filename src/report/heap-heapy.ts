import type { HeapDiffResult, HeapGroup } from '../heap/types.js';

/**
 * `heap diff --compat heapy`: the report lines of `heapy diff` (heapy 0.2.0), byte for byte, so
 * that output can be compared with existing write-ups. `groups` must already be in heapy's order.
 * The total after the `/` covers every group of the diff, filtered or not, as heapy's does (people
 * filter heapy's output with grep, which leaves the total alone). No output at all when empty.
 */
export function renderHeapyLines(result: HeapDiffResult, groups: readonly HeapGroup[]): string {
  const word = result.mode === 'retained' ? 'Retained' : 'Allocated';
  const total = result.groups.reduce((sum, group) => sum + group.memsize, 0);
  return groups.map((group) => `${word} ${group.type ?? ''} ${group.count} objects of size ${group.memsize}/${total} (in bytes) at: ${group.file ?? ''}:${group.line ?? ''}\n`).join('');
}
