/**
 * gemleak as a library: parse a lockfile, load an advisory database, match, render. The CLI is a
 * thin layer over exactly these functions.
 */
export { GemleakError, UsageError, isGemleakError } from './errors.js';
export { GEMLEAK_VERSION } from './version.js';
export { GemVersion, GemRequirement, compareGemVersions, satisfiesRequirement, isValidGemVersion } from './versions/index.js';
export { parseLockfile, parseLockfileBytes, readLockfile, resolveLockfilePath } from './lockfile/index.js';
export type { Lockfile, LockedSpec, SpecSource, LockfileDependency, LockfileWarning } from './lockfile/types.js';
export { loadAdvisoryDatabase } from './advisories/load.js';
export { mergeAdvisories, mergeDatabases, databaseLabel } from './advisories/merge.js';
export type { AdvisorySource, AdvisoryCopy, CorrectionInForce, Merged, MergedAdvisory, MergedInterpreterAdvisory, MergedDatabases } from './advisories/merge.js';
export { BUNDLED_DATABASE_ROOT } from './advisories/bundled.js';
export { ignoreKey, severityOf, TRIGGERS, SEVERITIES } from './advisories/types.js';
export type {
  Advisory,
  AdvisoryDatabase,
  AdvisoryProblem,
  AdvisoryEvidence,
  AdvisoryCorrection,
  AppliesWhen,
  DatabaseSummary,
  InterpreterAdvisory,
  LoadedDatabase,
  Severity,
  Trigger,
} from './advisories/types.js';
export { auditLockfile, lockedGemNames } from './audit/audit.js';
export { flaggedBy, isAffected, platformApplies } from './audit/match.js';
export { auditInterpreter, parseRubyVersion } from './audit/interpreter.js';
export type { InterpreterFinding } from './audit/interpreter.js';
export type { Finding, Fix, LockfileAudit, CheckResult, Suppression, RunWarning } from './audit/types.js';
export { runCheck } from './check/run.js';
export type { CheckRequest } from './check/run.js';
export { resolveDatabases } from './check/databases.js';
export type { DatabaseRequest, DatabaseChoice } from './check/databases.js';
export { safeVersionsAbove } from './audit/safe-versions.js';
export type { CheckSummary, GemUpgrade, FixBlocker } from './audit/types.js';
export { renderReport, CHECK_FORMATS } from './report/index.js';
export type { CheckFormat, CheckReport, ReportContext } from './report/index.js';
export { diffHeapDumps } from './heap/diff.js';
export { summarizeHeapDump } from './heap/summary.js';
export { findRootPath } from './heap/path.js';
export { findGrowingContainers } from './heap/grow.js';
export type { HeapDiffOptions, HeapDiffResult, HeapGroup, GroupRetainers, RetainerPath, PathHop, HeapSummaryResult, HeapWarning } from './heap/types.js';
export type { HeapPathOptions, HeapPathResult } from './heap/path.js';
export type { HeapGrowOptions, HeapGrowResult, GrowingContainer } from './heap/grow.js';
export { detectRubyVersion } from './runtime/index.js';
export type { RubyVersionDetection, RubyVersionSource } from './runtime/index.js';
export { runDoctor, failingFindings } from './doctor/index.js';
export type { DoctorResult, DoctorFinding, DoctorSeverity, FailOn } from './doctor/index.js';
