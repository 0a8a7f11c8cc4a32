import type { DoctorFinding, EnvSetting } from './types.js';

/**
 * `RUBY_GC_*` variables that let the heap or the malloc counters grow further before a GC. The
 * defaults are MRI's (gc.c, `GC_MALLOC_LIMIT_MIN` and friends, unchanged from 2.1 to 3.4): a value
 * above them trades memory for fewer GCs, which shows as growth that is not a leak.
 */
const GC_DEFAULTS: Record<string, { value: number; describe: string }> = {
  RUBY_GC_MALLOC_LIMIT: { value: 16 * 1024 * 1024, describe: 'malloc bytes allowed before a minor GC' },
  RUBY_GC_MALLOC_LIMIT_MAX: { value: 32 * 1024 * 1024, describe: 'ceiling of the malloc limit' },
  RUBY_GC_MALLOC_LIMIT_GROWTH_FACTOR: { value: 1.4, describe: 'growth of the malloc limit' },
  RUBY_GC_OLDMALLOC_LIMIT: { value: 16 * 1024 * 1024, describe: 'old-generation malloc bytes allowed before a major GC' },
  RUBY_GC_OLDMALLOC_LIMIT_MAX: { value: 128 * 1024 * 1024, describe: 'ceiling of the old malloc limit' },
  RUBY_GC_OLDMALLOC_LIMIT_GROWTH_FACTOR: { value: 1.2, describe: 'growth of the old malloc limit' },
  RUBY_GC_HEAP_GROWTH_FACTOR: { value: 1.8, describe: 'how much the heap grows when it is full' },
  RUBY_GC_HEAP_OLDOBJECT_LIMIT_FACTOR: { value: 2.0, describe: 'old objects allowed before a major GC' },
};

/** `16m`, `64000000`, `1.5`: gc.c's reader accepts k/m/g suffixes on sizes. */
export function gcValue(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  if (!match) return null;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(match[1]) * scale;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : String(bytes);
}

export function gcTuningFindings(settings: readonly EnvSetting[]): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const setting of settings) {
    const known = GC_DEFAULTS[setting.name];
    if (known === undefined) continue;
    const value = gcValue(setting.value);
    if (value === null || value <= known.value) continue;
    const isSize = known.value >= 1024;
    findings.push({
      rule: 'growth/gc-limit-raised',
      category: 'growth',
      severity: 'low',
      file: setting.file,
      line: setting.line,
      message: `${setting.name}=${setting.value} raises the ${known.describe} from ${isSize ? mib(known.value) : known.value} to ${isSize ? mib(value) : value}: memory grows further between GCs (growth that is not a leak)`,
      fix: `# delete ${setting.name} to return to MRI's default (${known.value}), or lower it`,
      fixWhere: `${setting.file}:${setting.line}`,
      url: null,
    });
  }
  return findings;
}
