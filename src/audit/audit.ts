import type { Lockfile, LockedSpec } from '../lockfile/types.js';
import { type Advisory, ignoreKey, severityOf } from '../advisories/types.js';
import { GemVersion } from '../versions/index.js';
import { isAffected } from './match.js';
import { fixFor } from './fix.js';
import type { Finding, LockfileAudit, Suppression } from './types.js';

export interface AuditOptions {
  /** Ignores keyed by `<gem>-<id>` (as bundler-leak spells them). */
  ignores?: ReadonlyMap<string, Suppression>;
}

/**
 * Matches every locked spec against the advisories of its gem. Pure: no I/O, no clock.
 * A gem locked for several platforms gives one finding per (gem, version, advisory) listing them.
 */
export function auditLockfile(lockfile: Lockfile, advisories: readonly Advisory[], options: AuditOptions = {}): LockfileAudit {
  const byGem = groupByGem(advisories);
  const findings = new Map<string, Finding>();
  for (const spec of lockfile.specs) {
    const candidates = byGem.get(spec.name);
    if (!candidates) continue;
    const version = GemVersion.parse(spec.version);
    for (const advisory of candidates) {
      if (!isAffected(advisory, version, spec.platform)) continue;
      addFinding(findings, lockfile.file, spec, advisory, options.ignores);
    }
  }
  for (const finding of findings.values()) {
    const platforms = finding.platforms.map((platform) => (platform === 'ruby' ? null : platform));
    finding.fix = fixFor(lockfile, { name: finding.gem, version: finding.version }, platforms, byGem.get(finding.gem) ?? [], finding.advisory);
  }
  return {
    lockfile: lockfile.file,
    gemsChecked: countGemVersions(lockfile.specs),
    findings: [...findings.values()],
    warnings: lockfile.warnings.map(({ message, line }) => ({ message, file: lockfile.file, line })),
  };
}

/**
 * The number of distinct (name, version) pairs: a gem locked for several platforms counts once. Keyed
 * by name, with a Set only for a name locked at several versions, so no key string is built per spec.
 */
function countGemVersions(specs: readonly LockedSpec[]): number {
  const seen = new Map<string, string | Set<string>>();
  let count = 0;
  for (const { name, version } of specs) {
    const prior = seen.get(name);
    if (prior === undefined) {
      seen.set(name, version);
      count++;
    } else if (typeof prior === 'string') {
      if (prior !== version) {
        seen.set(name, new Set([prior, version]));
        count++;
      }
    } else if (!prior.has(version)) {
      prior.add(version);
      count++;
    }
  }
  return count;
}

/** The gem names a lockfile locks: the loader reads only these gems' advisory folders. */
export function lockedGemNames(lockfile: Lockfile): Set<string> {
  const names = new Set<string>();
  for (const spec of lockfile.specs) names.add(spec.name);
  return names;
}

function groupByGem(advisories: readonly Advisory[]): Map<string, Advisory[]> {
  const byGem = new Map<string, Advisory[]>();
  for (const advisory of advisories) {
    const list = byGem.get(advisory.gem);
    if (list) list.push(advisory);
    else byGem.set(advisory.gem, [advisory]);
  }
  return byGem;
}

const PENDING_FIX: Finding['fix'] = { patchedVersions: [], minimumSafeVersion: null, safeVersions: [], blockers: [], command: '', directory: null, gemfile: null, runnable: '' };

function addFinding(findings: Map<string, Finding>, lockfile: string, spec: LockedSpec, advisory: Advisory, ignores: ReadonlyMap<string, Suppression> | undefined): void {
  const platform = spec.platform ?? 'ruby';
  // Keyed by the advisory's file (gem and id), not its ignore key, which two advisories can share.
  const key = `${spec.name}\0${spec.version}\0${advisory.file}`;
  const existing = findings.get(key);
  if (existing) {
    if (!existing.platforms.includes(platform)) existing.platforms.push(platform);
    return;
  }
  const suppressed = ignores?.get(ignoreKey(advisory));
  findings.set(key, {
    gem: spec.name,
    version: spec.version,
    platforms: [platform],
    lockfile,
    line: spec.line,
    advisory,
    severity: severityOf(advisory),
    // Completed once every platform of the gem version is known (see auditLockfile).
    fix: PENDING_FIX,
    ...(suppressed ? { suppressed } : {}),
  });
}
