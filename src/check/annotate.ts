import { type DatabaseSummary, type LoadedDatabase, ignoreKey } from '../advisories/types.js';
import type { CheckedGem, LockfileAudit } from '../audit/types.js';
import type { Lockfile } from '../lockfile/types.js';

/** How a finding names a database it came from: its config name, its git URL, else its kind or folder. */
export function databaseLabel(summary: DatabaseSummary): string {
  if (summary.name) return summary.name;
  if (summary.kind === 'bundled') return 'bundled';
  if (summary.kind === 'synced') return summary.url ?? 'synced';
  return summary.path;
}

/**
 * The audit's result completed for the reports: the gems it checked (JUnit lists every one), and
 * for each finding every database that carries its advisory. Merging already reports an advisory
 * present in several databases once; this says where it came from.
 */
export function annotateAudit(audit: LockfileAudit, lockfile: Lockfile, loaded: readonly LoadedDatabase[]): LockfileAudit {
  const gems = new Map<string, CheckedGem>();
  for (const spec of lockfile.specs) {
    const key = `${spec.name} ${spec.version}`;
    if (!gems.has(key)) gems.set(key, { name: spec.name, version: spec.version, line: spec.line });
  }
  const findings = audit.findings.map((finding) => {
    const key = ignoreKey(finding.advisory);
    const sources = loaded.filter(({ database }) => database.keys.includes(key)).map(({ summary }) => databaseLabel(summary));
    return { ...finding, sources };
  });
  return { ...audit, findings, gems: [...gems.values()] };
}
