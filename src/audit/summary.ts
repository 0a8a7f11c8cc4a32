import { ignoreKey, severityAtLeast } from '../advisories/types.js';
import type { CheckSummary, Finding, GemUpgrade, LockfileAudit } from './types.js';

/**
 * The numbers every format prints, counted once here so they agree: known leaks (findings not
 * ignored), the gem versions they are in, the lockfiles affected, and the one upgrade per gem
 * version that clears all of its leaks.
 */
export function summarizeCheck(audits: readonly LockfileAudit[], advisories: number): CheckSummary {
  const active = audits.flatMap((audit) => audit.findings.filter((finding) => !finding.suppressed));
  const upgrades = upgradesOf(active);
  return {
    leaks: active.length,
    gemVersions: upgrades.length,
    lockfiles: audits.length,
    affectedLockfiles: new Set(active.map((finding) => finding.lockfile)).size,
    gemsChecked: audits.reduce((sum, audit) => sum + audit.gemsChecked, 0),
    suppressed: audits.reduce((sum, audit) => sum + audit.findings.length, 0) - active.length,
    advisories,
    upgrades,
  };
}

/** One entry per (lockfile, gem, version) with findings, in report order. */
function upgradesOf(active: readonly Finding[]): GemUpgrade[] {
  const byGemVersion = new Map<string, GemUpgrade>();
  for (const finding of active) {
    const key = `${finding.lockfile}\0${finding.gem}\0${finding.version}`;
    const known = byGemVersion.get(key);
    if (known) {
      known.advisories.push(ignoreKey(finding.advisory));
      if (severityAtLeast(finding.severity, known.severity)) known.severity = finding.severity;
      continue;
    }
    byGemVersion.set(key, {
      lockfile: finding.lockfile,
      gem: finding.gem,
      version: finding.version,
      line: finding.line,
      advisories: [ignoreKey(finding.advisory)],
      severity: finding.severity,
      fix: finding.fix,
    });
  }
  return [...byGemVersion.values()];
}
