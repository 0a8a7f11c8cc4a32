import type { MergedAdvisory } from '../advisories/merge.js';
import { flaggedBy } from '../audit/match.js';
import type { CheckedGem, LockfileAudit } from '../audit/types.js';
import type { Lockfile } from '../lockfile/types.js';

/**
 * The audit's result completed for the reports: the gems it checked (JUnit lists every one), and
 * for each finding the databases whose copy of the advisory flags that version (a synced copy may
 * flag what the bundled one does not, and the other way round).
 */
export function annotateAudit(audit: LockfileAudit, lockfile: Lockfile): LockfileAudit {
  const gems = new Map<string, CheckedGem>();
  for (const spec of lockfile.specs) {
    const key = `${spec.name} ${spec.version}`;
    if (!gems.has(key)) gems.set(key, { name: spec.name, version: spec.version, line: spec.line });
  }
  const findings = audit.findings.map((finding) => {
    const platforms = finding.platforms.map((platform) => (platform === 'ruby' ? null : platform));
    const labels = new Set(platforms.flatMap((platform) => flaggedBy(finding.advisory, finding.version, platform).map((source) => source.label)));
    const merged = finding.advisory as Partial<MergedAdvisory>;
    const corrections = (merged.corrections ?? []).map((correction) => ({ source: correction.corrected.label, reason: correction.reason, evidence: correction.evidence }));
    return { ...finding, sources: [...labels], ...(merged.textSource ? { textSource: merged.textSource.label } : {}), ...(corrections.length > 0 ? { corrections } : {}) };
  });
  return { ...audit, findings, gems: [...gems.values()] };
}
