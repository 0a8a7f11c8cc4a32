import type { Style } from './style.js';

/**
 * What to do when no advisory explains the growth: take three heap dumps and diff them. The commands
 * are meant to be pasted as they are; `appName` (the lockfile's folder) narrows the diff to the app.
 */
export function heapDiffFollowUp(appName: string, style: Style): string {
  const filter = /^[\w.-]+$/.test(appName) ? appName : 'app/';
  return [
    style.bold('Memory still growing? Then the leak is in your code or in a gem no advisory covers yet.'),
    'Next step: take three heap dumps A, B, C of one process and diff them. Objects born between A and B',
    'that are still alive in C are the suspects, grouped by the file:line that allocated them.',
    '',
    style.bold('  Rails or Rack app, with derailed_benchmarks (prints the three dump paths it writes):'),
    `    TEST_COUNT=5000 PATH_TO_HIT=/the/growing/path bundle exec derailed exec perf:heap_diff`,
    '',
    style.bold('  Any Ruby process: run this inside it (a console, a rake task, an endpoint you can hit):'),
    `    require "objspace"`,
    `    ObjectSpace.trace_object_allocations_start`,
    `    dump = ->(name) { GC.start; File.open(name, "w") { |f| ObjectSpace.dump_all(output: f) } }`,
    `    dump.("heap-A.json")   # then let the app do the work that grows`,
    `    dump.("heap-B.json")   # then the same work again`,
    `    dump.("heap-C.json")`,
    '',
    style.bold('  Then diff them:'),
    `    gemleak heap diff heap-A.json heap-B.json heap-C.json --filter ${filter}`,
  ].join('\n');
}
