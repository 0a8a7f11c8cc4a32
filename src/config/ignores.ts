import { ignoreKey } from '../advisories/types.js';
import type { Finding, IgnoreRecord, IgnoreRule, RunWarning, Suppression } from '../audit/types.js';
import type { GemleakConfig } from './types.js';

export type { IgnoreRule } from '../audit/types.js';

const CLI_IGNORE_REASON = 'ignored with --ignore';

/** The config's ignores, then `--ignore`'s: the command line adds to the config, never replaces it. */
export function ignoreRules(config: GemleakConfig | null, cliIds: readonly string[]): IgnoreRule[] {
  const fromConfig: IgnoreRule[] = (config?.ignores ?? []).map((entry) => ({
    id: entry.id,
    reason: entry.reason,
    until: entry.until,
    source: 'config',
    file: config?.file ?? null,
    line: entry.line,
  }));
  const fromCli: IgnoreRule[] = [...new Set(cliIds)].map((id) => ({ id, reason: CLI_IGNORE_REASON, until: null, source: 'cli', file: null, line: null }));
  return [...fromConfig, ...fromCli];
}

/** Today as `YYYY-MM-DD` in the local calendar: an ignore "until 2025-06-30" holds all of that day where the user is. */
export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A rule applies through its `until` day and stops the day after. */
export function isExpired(rule: Pick<IgnoreRule, 'until'>, today: string): boolean {
  return rule.until !== null && rule.until < today;
}

/**
 * The suppressions in force on `today` (`YYYY-MM-DD`), keyed by `<gem>-<id>` as the audit wants
 * them. Expired rules are left out. When the config and `--ignore` name the same id, the config's
 * rule (with its reason) is shown while it holds, and `--ignore` still applies once it has expired.
 */
export function activeSuppressions(rules: readonly IgnoreRule[], today: string): Map<string, Suppression> {
  const active = new Map<string, Suppression>();
  for (const rule of rules) {
    if (isExpired(rule, today) || active.has(rule.id)) continue;
    active.set(rule.id, { reason: rule.reason, until: rule.until });
  }
  return active;
}

export interface IgnoreReview {
  records: IgnoreRecord[];
  warnings: RunWarning[];
}

/**
 * What became of each rule, across every lockfile checked (an ignore is stale only when it matched
 * nothing anywhere), and the warnings to print: an expired rule (its findings count again) and a
 * rule that matched no finding (stale config, or a typo when no database has that advisory).
 * `knownKeys`: `<gem>-<id>` of every advisory in the databases used.
 */
export function reviewIgnores(rules: readonly IgnoreRule[], findings: readonly Finding[], options: { today: string; knownKeys: ReadonlySet<string>; lockfiles: number }): IgnoreReview {
  const matches = new Map<string, number>();
  for (const finding of findings) {
    const key = ignoreKey(finding.advisory);
    matches.set(key, (matches.get(key) ?? 0) + 1);
  }
  const records: IgnoreRecord[] = [];
  const warnings: RunWarning[] = [];
  for (const rule of rules) {
    const count = matches.get(rule.id) ?? 0;
    const status: IgnoreRecord['status'] = isExpired(rule, options.today) ? 'expired' : count > 0 ? 'applied' : 'unused';
    records.push({ ...rule, status, matches: count });
    const where = rule.file === null ? {} : { file: rule.file, ...(rule.line === null ? {} : { line: rule.line }) };
    if (status === 'expired') {
      warnings.push({
        ...where,
        message:
          count > 0
            ? `ignore ${rule.id} expired on ${rule.until} (reason: ${rule.reason}); its ${count === 1 ? 'finding counts' : `${count} findings count`} again: fix ${count === 1 ? 'it' : 'them'}, or move until to a later date`
            : `ignore ${rule.id} expired on ${rule.until} and matches no finding any more: remove it`,
      });
    } else if (status === 'unused') {
      const unknown = options.knownKeys.has(rule.id) ? '' : `; no database in use has an advisory ${rule.id} (a typo?)`;
      warnings.push(
        rule.source === 'cli'
          ? { message: `--ignore ${rule.id} matched no finding (ids are written <gem>-<advisory id>, e.g. celluloid-670)${unknown}` }
          : {
              ...where,
              message: `ignore ${rule.id} matched no finding in the ${options.lockfiles === 1 ? 'lockfile' : `${options.lockfiles} lockfiles`} checked: remove it if the gem was upgraded or removed${unknown}`,
            },
      );
    }
  }
  return { records, warnings };
}
