import { resolveClassNames } from './class-name-table.js';
import { nameGroups } from './groups.js';
import { type DumpFile, inspectDump } from './input.js';
import { report, requireJsonObjects, startRunner } from './diff.js';
import { planRanges } from './ranges.js';
import type { SummaryResult, Tally } from './scan-jobs.js';
import { mergeStats } from './scan-stats.js';
import { SiteTable } from './site-table.js';
import type { HeapSummaryOptions, HeapSummaryResult } from './types.js';
import { readingWarnings, TRACING_HINT } from './warnings.js';

/** One dump on its own: objects and bytes by type, by GC generation, and by allocation site. */
export async function summarizeHeapDump(options: HeapSummaryOptions): Promise<HeapSummaryResult> {
  const file = await inspectDump(options.dump);
  const parts = await scanRanges(file, options);
  const dump = report('dump', file, mergeStats(parts.map((part) => part.stats)));
  requireJsonObjects(dump);
  // The first range's table becomes the whole dump's: the others are merged into it.
  const [first, ...rest] = parts as [SummaryResult, ...SummaryResult[]];
  const sites = new SiteTable(first.sites);
  for (const part of rest) sites.merge(part.sites);
  const classNames = resolveClassNames(
    parts.map((part) => part.classNames),
    sites.classAddresses(),
  );
  const warnings = readingWarnings(dump, false);
  if (dump.stats.objects > 0 && dump.stats.withLocation === 0) {
    warnings.push({
      code: 'HEAP_NO_TRACING',
      message: `no object carries an allocation file/line: allocation tracing was off. Start it before dumping: ${TRACING_HINT}`,
      file: dump.label,
    });
  }
  return {
    dump,
    byType: [...mergeTallies(parts.map((part) => part.byType))].map(([type, tally]) => ({ type, ...tally })).sort((a, b) => b.memsize - a.memsize || b.count - a.count || (a.type < b.type ? -1 : 1)),
    byGeneration: [...mergeTallies(parts.map((part) => part.byGeneration))].sort(([a], [b]) => a - b).map(([generation, tally]) => ({ generation: generation < 0 ? null : generation, ...tally })),
    sites: nameGroups(sites.tallies(), classNames).groups,
    warnings,
  };
}

/**
 * Reads the ranges of the dump in parallel. The threads end as soon as they are done: their heaps
 * are gone before the sites become strings, so the two never add up.
 */
async function scanRanges(file: DumpFile, options: HeapSummaryOptions): Promise<SummaryResult[]> {
  const runner = startRunner([file], options);
  try {
    return await Promise.all(planRanges(file, runner.parallelism).map((source) => runner.run<SummaryResult>({ kind: 'summary', source })));
  } finally {
    await runner.close();
  }
}

function mergeTallies<K>(parts: [K, Tally][][]): Map<K, Tally> {
  const merged = new Map<K, Tally>();
  for (const part of parts) {
    for (const [key, tally] of part) {
      const existing = merged.get(key);
      if (existing === undefined) merged.set(key, { ...tally });
      else {
        existing.count += tally.count;
        existing.memsize += tally.memsize;
      }
    }
  }
  return merged;
}
