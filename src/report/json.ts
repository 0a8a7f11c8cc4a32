import type { CheckResult, Finding, Fix } from '../audit/types.js';
import { ignoreKey } from '../advisories/types.js';

/** Bumped only on breaking changes to the JSON shape; additions keep it. */
export const CHECK_JSON_SCHEMA_VERSION = 1;

/** The machine-readable report. Keys are snake_case and stable; see README "JSON output" and schemas/check-result.schema.json. */
export function renderJson(result: CheckResult): string {
  const all = result.audits.flatMap((audit) => audit.findings);
  const document = {
    schema_version: CHECK_JSON_SCHEMA_VERSION,
    gemleak_version: result.gemleakVersion,
    summary: {
      findings: result.summary.leaks,
      gem_versions: result.summary.gemVersions,
      suppressed: result.summary.suppressed,
      lockfiles: result.summary.lockfiles,
      affected_lockfiles: result.summary.affectedLockfiles,
      gems_checked: result.summary.gemsChecked,
      advisories: result.summary.advisories,
      exit_code: result.exitCode,
    },
    lockfiles: result.audits.map((audit) => ({
      path: audit.lockfile,
      gems_checked: audit.gemsChecked,
      findings: audit.findings.filter((finding) => !finding.suppressed).length,
      ruby: audit.ruby ? { engine: audit.ruby.engine, version: audit.ruby.version, written: audit.ruby.raw, file: audit.ruby.file, line: audit.ruby.line, source: audit.ruby.kind } : null,
    })),
    findings: all.map(findingJson),
    upgrades: result.summary.upgrades.map((upgrade) => ({
      lockfile: upgrade.lockfile,
      gem: upgrade.gem,
      version: upgrade.version,
      line: upgrade.line,
      advisories: upgrade.advisories,
      severity: upgrade.severity,
      fix: fixJson(upgrade.fix),
    })),
    database: {
      advisories: result.advisoryCount,
      sources: result.databases.map((database) => ({
        kind: database.kind,
        name: database.name ?? null,
        path: database.path,
        advisories: database.advisories,
        url: database.url,
        commit: database.commit,
        commit_date: database.commitDate,
        synced_at: database.syncedAt,
      })),
    },
    config: result.config ?? null,
    ignores: (result.ignores ?? []).map((rule) => ({
      id: rule.id,
      reason: rule.reason,
      until: rule.until,
      source: rule.source,
      file: rule.file,
      line: rule.line,
      status: rule.status,
      matches: rule.matches,
    })),
    warnings: result.warnings.map((warning) => ({ message: warning.message, file: warning.file ?? null, line: warning.line ?? null })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function findingJson(finding: Finding) {
  const { advisory, fix } = finding;
  return {
    gem: finding.gem,
    version: finding.version,
    platforms: finding.platforms,
    lockfile: finding.lockfile,
    line: finding.line,
    advisory: {
      id: advisory.id,
      ignore_id: ignoreKey(advisory),
      url: advisory.url,
      title: advisory.title.trim(),
      date: advisory.date,
      description: advisory.description.trim(),
      leaky_versions: advisory.leakyVersions,
      patched_versions: advisory.patchedVersions,
      unaffected_versions: advisory.unaffectedVersions,
      platform: advisory.platform,
      framework: advisory.framework,
      related: advisory.related,
    },
    severity: finding.severity,
    fix: fixJson(fix),
    suppressed: finding.suppressed ? { reason: finding.suppressed.reason, until: finding.suppressed.until } : null,
    sources: finding.sources ?? [],
    text_source: finding.textSource ?? null,
    interpreter: finding.interpreter
      ? { file: finding.interpreter.source.file, line: finding.interpreter.source.line, written: finding.interpreter.source.raw, applies_when: finding.interpreter.appliesWhen }
      : null,
    corrections: (finding.corrections ?? []).map((correction) => ({ source: correction.source, reason: correction.reason, evidence: correction.evidence })),
  };
}

function fixJson(fix: Fix) {
  return {
    patched_versions: fix.patchedVersions,
    minimum_safe_version: fix.minimumSafeVersion,
    safe_versions: fix.safeVersions,
    blockers: fix.blockers.map((blocker) => ({ kind: blocker.kind, requirement: blocker.requirement, gem: blocker.gem, line: blocker.line })),
    command: fix.command,
    directory: fix.directory,
    gemfile: fix.gemfile,
    runnable: fix.runnable,
  };
}
