/**
 * What to do next, per verdict: the verdict is step one of the hunt, these are the steps after it.
 * Pure text, shared by every report format (JSON carries it too).
 */
import type { SeriesAnalysis } from './types.js';

export function nextSteps(analysis: SeriesAnalysis): string[] {
  switch (analysis.verdict) {
    case 'LEAK':
      return [
        'Check your gems for known leaks: gemleak check',
        'Find what your own code keeps: take three heap dumps some minutes apart (ObjectSpace.trace_object_allocations_start; ObjectSpace.dump_all), then: gemleak heap diff heap-1.json heap-2.json heap-3.json',
        ...(analysis.growthSource === 'rss_only' ? ['To tell Ruby objects from growth below the GC, record GC.stat lines (see docs/trend.md) and run gemleak trend on them'] : []),
      ];
    case 'BELOW_GC_GROWTH':
      return [
        "Ruby's objects are flat: the growth is in malloc (a C extension leaking, or allocator fragmentation), so a heap dump will not show it",
        'Check the allocator: gemleak doctor (jemalloc, MALLOC_ARENA_MAX); then run again with MALLOC_ARENA_MAX=2 or jemalloc (LD_PRELOAD=libjemalloc.so.2) and compare the trend',
        'Check your gems for known native leaks: gemleak check',
      ];
    case 'RESTARTS': {
      const leaking = analysis.lives.some((life) => life.verdict === 'LEAK' || life.verdict === 'BELOW_GC_GROWTH');
      return leaking
        ? [
            'Something restarts the process (a worker killer, an OOM kill) and hides a leak: the lives above grow until they die',
            'Check your gems for known leaks: gemleak check; then diff heap dumps within one life: gemleak heap diff heap-1.json heap-2.json heap-3.json',
          ]
        : ['The process restarted; no life grew without bound. Record longer lives for a verdict on each'];
    }
    case 'PLATEAU':
      return [
        'This is your working set: memory grew during warm-up and levelled off, which is not a leak. To lower it, look at what loads at boot (gemleak heap summary heap.json) or try jemalloc / MALLOC_ARENA_MAX=2 (gemleak doctor)',
      ];
    case 'NO_GROWTH':
      return ['Nothing to hunt here: memory did not grow. If production grows, record it there (a longer series, under real traffic)'];
    case 'TOO_SHORT':
      return [`Record longer: at least ${analysis.neededSamples ?? 8} samples, over a span long enough to pass warm-up (minutes for a web app, under load)`];
  }
}
