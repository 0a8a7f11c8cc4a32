import { realpathSync } from 'node:fs';
import path from 'node:path';
import { type MergedDatabases, mergeDatabases } from '../advisories/merge.js';
import { type LoadedDatabase, type Severity, severityAtLeast } from '../advisories/types.js';
import { auditLockfile, lockedGemNames } from '../audit/audit.js';
import { summarizeCheck } from '../audit/summary.js';
import type { CheckResult, IgnoreRecord, LockfileAudit, RunWarning, Suppression } from '../audit/types.js';
import { activeSuppressions, ignoreRules, localDate, reviewIgnores } from '../config/ignores.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { GemleakConfig } from '../config/types.js';
import { readLockfile, resolveLockfilePath } from '../lockfile/index.js';
import type { Lockfile } from '../lockfile/types.js';
import { GemleakError } from '../errors.js';
import { GEMLEAK_VERSION } from '../version.js';
import { annotateAudit } from './annotate.js';
import { resolveDatabases } from './databases.js';
import { checkFreshness } from './freshness.js';
import { interpreterFindings, rubyVersionOf } from './interpreter.js';

/** Everything `gemleak check` needs to know; the CLI fills it from flags, but any caller can. */
export interface CheckRequest {
  /** Lockfiles, or folders holding one, as the user typed them (default `.`). */
  paths: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Lockfiles already read (the pre-commit hook reads them from the git index); `paths` is then unused. */
  lockfiles?: Lockfile[] | undefined;
  /** `<gem>-<id>` ids to ignore in every lockfile, on top of the config's. */
  ignore?: string[] | undefined;
  /** A config file for every lockfile, or false for none; else each lockfile's nearest `.gemleak.toml`. */
  config?: string | false | undefined;
  /** Every lockfile below the folders given (git-aware). */
  recursive?: boolean | undefined;
  /** Exactly this advisory database (else `GEMLEAK_DB`, else bundled + synced + configured). */
  database?: string | undefined;
  /** A malformed advisory fails the check (exit 2) instead of being skipped. */
  strict?: boolean | undefined;
  /** Days after which a synced copy is stale (else the config's `max_age`, else 30). */
  maxAge?: number | undefined;
  failOnStale?: boolean | undefined;
  /** Fail (exit 1) only on known leaks of at least this severity; every known leak fails by default. */
  failOn?: Severity | undefined;
  /** Warnings from before the check (a failed `--update-optional` sync), carried into every report. */
  warnings?: RunWarning[] | undefined;
  /** The clock (ignores hold through their `until` day). */
  now?: Date | undefined;
}

/**
 * `gemleak check` as a library function: reads the lockfiles, picks the databases, matches, applies
 * each lockfile's ignores, and returns the complete result, exit code included. No printing: the
 * CLI renders the result with a reporter. Throws GemleakError (exit 2) for input it cannot check.
 */
export async function runCheck(request: CheckRequest): Promise<CheckResult> {
  const now = request.now ?? new Date();
  const runConfig = await loadConfig({ cwd: request.cwd, explicit: request.config });
  const warnings: RunWarning[] = [...(request.warnings ?? [])];
  const lockfiles = request.lockfiles ?? (await readTargets(request, warnings));
  const gems = new Set(lockfiles.flatMap((lockfile) => [...lockedGemNames(lockfile)]));
  const { loaded, notes } = await resolveDatabases({
    database: request.database,
    config: runConfig,
    env: request.env,
    cwd: request.cwd,
    // --strict judges every advisory, not only those of the gems locked.
    gems: request.strict ? undefined : gems,
    strict: request.strict,
    failOnStale: request.failOnStale,
  });
  warnings.push(...notes);
  const merged = mergeDatabases(loaded);
  const { advisories, total } = merged;
  const today = localDate(now);
  const configs = await lockfileConfigs(lockfiles, runConfig, request);
  const audits: LockfileAudit[] = lockfiles.map((lockfile, index) => {
    const ignores = activeSuppressions(ignoreRules(configs[index] ?? null, request.ignore ?? []), today);
    const audit = annotateAudit(auditLockfile(lockfile, advisories, { ignores }), lockfile);
    return withInterpreter(audit, lockfile, request.cwd, merged.interpreterAdvisories, ignores);
  });
  const review = reviewAllIgnores(audits, configs, request.ignore ?? [], today, loaded);
  warnings.push(
    ...checkFreshness(
      loaded.map(({ summary }) => summary),
      { maxAge: request.maxAge ?? runConfig?.maxAge ?? undefined, failOnStale: request.failOnStale },
      now.getTime(),
    ),
    ...audits.flatMap((audit) => audit.warnings),
    ...skippedAdvisories(loaded),
    ...merged.ambiguousKeys.map(({ key, files }) => ({ message: `the ignore key ${key} names ${files.length} advisories (${files.join(', ')}): an ignore of it silences all of them` })),
    ...review.warnings,
  );
  const summary = summarizeCheck(audits, total);
  return {
    gemleakVersion: GEMLEAK_VERSION,
    audits,
    databases: loaded.map(({ summary: database }) => database),
    advisoryCount: total,
    warnings,
    config: runConfig?.file ?? null,
    configFormat: runConfig?.format ?? null,
    ignores: review.records,
    summary,
    exitCode: failingLeaks(audits, request.failOn) > 0 ? 1 : 0,
  };
}

/**
 * The app's Ruby and its interpreter leaks, as findings of the pseudo-gem `ruby` (every format shows
 * them; the ignore key is `ruby-<id>`). JUnit lists the interpreter among the gems checked.
 */
function withInterpreter(audit: LockfileAudit, lockfile: Lockfile, cwd: string, advisories: MergedDatabases['interpreterAdvisories'], ignores: ReadonlyMap<string, Suppression>): LockfileAudit {
  const ruby = rubyVersionOf(lockfile, cwd);
  if (ruby === null) return { ...audit, ruby: null };
  const found = interpreterFindings(lockfile, ruby, advisories, ignores);
  const gems = found.length === 0 ? audit.gems : [...(audit.gems ?? []), { name: 'ruby', version: ruby.version, line: ruby.kind === 'lockfile' ? ruby.line : 1 }];
  return { ...audit, ruby, findings: [...audit.findings, ...found], ...(gems === undefined ? {} : { gems }) };
}

/** Known leaks (not ignored) at or above the `--fail-on` severity. */
function failingLeaks(audits: readonly LockfileAudit[], failOn: Severity | undefined): number {
  const active = audits.flatMap((audit) => audit.findings.filter((finding) => !finding.suppressed));
  return failOn === undefined ? active.length : active.filter((finding) => severityAtLeast(finding.severity, failOn)).length;
}

/**
 * The lockfiles to check: each path as typed (a folder means its Gemfile.lock, else gems.locked),
 * or with `recursive` every lockfile below it. The same file reached twice is checked once.
 * Reports name each as typed: relative stays relative, absolute stays absolute.
 */
async function readTargets(request: CheckRequest, warnings: RunWarning[]): Promise<Lockfile[]> {
  const typed = request.paths.length === 0 ? ['.'] : request.paths;
  const targets: { file: string; name: string }[] = [];
  for (const target of typed) {
    const absolute = path.resolve(request.cwd, target);
    if (!request.recursive) {
      const file = await resolveLockfilePath(absolute, target);
      targets.push({ file, name: nameAsTyped(target, absolute, file) });
      continue;
    }
    const { discoverLockfiles } = await import('./discover.js');
    const discovery = await discoverLockfiles(absolute, { env: request.env });
    warnings.push(...discovery.warnings);
    if (discovery.files.length === 0) {
      throw new GemleakError('LOCKFILE_NOT_FOUND', 'no lockfile (Gemfile.lock, gems.locked, Gemfile*.lock) below this folder, outside ignored folders', { file: target });
    }
    for (const file of discovery.files) targets.push({ file, name: nameAsTyped(target, absolute, file) });
  }
  const seen = new Set<string>();
  const unique = targets.filter(({ file }) => {
    const real = realPath(file);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
  return Promise.all(unique.map(({ file, name }) => readLockfile(file, name)));
}

/** `apps/api` + `/abs/apps/api/Gemfile.lock` -> `apps/api/Gemfile.lock`; `.` -> `Gemfile.lock`. */
function nameAsTyped(typed: string, absolute: string, file: string): string {
  if (file === absolute) return typed;
  const below = path.relative(absolute, file);
  return typed === '.' || typed === `.${path.sep}` ? below : path.join(typed, below);
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The config whose ignores apply to each lockfile: `--config FILE` (or none with `--no-config`)
 * for all; else the nearest `.gemleak.toml` at or above the lockfile, up to its repository's top,
 * so one project's ignores never silence another's findings. A lockfile read from the git index
 * uses the config found from where the check runs.
 */
async function lockfileConfigs(lockfiles: readonly Lockfile[], runConfig: GemleakConfig | null, request: CheckRequest): Promise<(GemleakConfig | null)[]> {
  if (request.config !== undefined || request.lockfiles !== undefined) return lockfiles.map(() => runConfig);
  const byFile = new Map<string, Promise<GemleakConfig | null>>();
  return Promise.all(
    lockfiles.map(async (lockfile) => {
      const found = await findConfigFile(path.dirname(path.resolve(request.cwd, lockfile.file)));
      if (found === null) return null;
      let config = byFile.get(found);
      if (config === undefined) {
        config = loadConfig({ cwd: request.cwd, explicit: found });
        byFile.set(found, config);
      }
      return config;
    }),
  );
}

/**
 * What became of every ignore: a config's rules are judged against the lockfiles that config
 * applies to, `--ignore` against all of them (an ignore is stale only when it matched nothing).
 */
function reviewAllIgnores(audits: readonly LockfileAudit[], configs: readonly (GemleakConfig | null)[], cliIgnores: readonly string[], today: string, loaded: readonly LoadedDatabase[]) {
  const knownKeys = new Set(loaded.flatMap(({ database }) => database.keys));
  const records: IgnoreRecord[] = [];
  const warnings: RunWarning[] = [];
  const groups = new Map<GemleakConfig, LockfileAudit[]>();
  audits.forEach((audit, index) => {
    const config = configs[index];
    if (config) groups.set(config, [...(groups.get(config) ?? []), audit]);
  });
  const review = (rules: ReturnType<typeof ignoreRules>, group: readonly LockfileAudit[]) => {
    const result = reviewIgnores(
      rules,
      group.flatMap((audit) => audit.findings),
      { today, knownKeys, lockfiles: group.length },
    );
    records.push(...result.records);
    warnings.push(...result.warnings);
  };
  for (const [config, group] of groups) review(ignoreRules(config, []), group);
  review(ignoreRules(null, cliIgnores), audits);
  return { records, warnings };
}

function skippedAdvisories(loaded: readonly LoadedDatabase[]): RunWarning[] {
  return loaded.flatMap(({ database }) =>
    database.problems.map((problem) => ({
      message: `advisory skipped: ${problem.message}`,
      file: path.join(database.root, problem.file),
      ...(problem.line === undefined ? {} : { line: problem.line }),
    })),
  );
}
