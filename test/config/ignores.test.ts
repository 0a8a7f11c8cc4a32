import { describe, expect, it } from 'vitest';
import { activeSuppressions, ignoreRules, isExpired, localDate, reviewIgnores } from '../../src/config/ignores.js';
import type { GemleakConfig } from '../../src/config/types.js';
import type { Finding } from '../../src/audit/types.js';
import type { Advisory } from '../../src/advisories/types.js';

/** The injected clock: every test sees the same "today". */
const today = '2025-06-15';

function config(ignores: GemleakConfig['ignores']): GemleakConfig {
  return { file: '.gemleak.toml', format: null, maxAge: null, ignores, databases: [] };
}

function finding(gem: string, id: string, lockfile = 'Gemfile.lock'): Finding {
  const advisory: Advisory = {
    id,
    gem,
    url: `https://example.com/${gem}/${id}`,
    title: `${gem} leaks`,
    date: '2020-01-01',
    description: '',
    leakyVersions: ['< 2'],
    patchedVersions: ['>= 2'],
    unaffectedVersions: [],
    platform: null,
    framework: null,
    related: [],
    file: `gems/${gem}/${id}.yml`,
  };
  return {
    gem,
    version: '1.0',
    platforms: ['ruby'],
    lockfile,
    line: 4,
    advisory,
    severity: 'high',
    fix: { patchedVersions: ['>= 2'], minimumSafeVersion: '2', command: `bundle update ${gem}`, safeVersions: [], blockers: [], directory: null, gemfile: null, runnable: `bundle update ${gem}` },
  };
}

describe('expiry around today (injected clock)', () => {
  const cases = [
    { until: '2025-06-14', expired: true, what: 'yesterday' },
    { until: '2025-06-15', expired: false, what: 'today: the ignore holds all of its last day' },
    { until: '2025-06-16', expired: false, what: 'tomorrow' },
    { until: '2024-12-31', expired: true, what: 'last year' },
    { until: null, expired: false, what: 'no end' },
  ];
  it.each(cases)('until $until ($what) → expired: $expired', ({ until, expired }) => {
    expect(isExpired({ until }, today)).toBe(expired);
    const rules = ignoreRules(config([{ id: 'oj-229', reason: 'r', until, line: 3 }]), []);
    expect(activeSuppressions(rules, today).has('oj-229')).toBe(!expired);
  });

  it('takes today from the local calendar', () => {
    expect(localDate(new Date(2025, 0, 5, 23, 59))).toBe('2025-01-05');
    expect(localDate(new Date(2025, 11, 31, 0, 0))).toBe('2025-12-31');
  });
});

describe('--ignore adds to the config', () => {
  it('keeps the config rules and appends the command line ones', () => {
    const rules = ignoreRules(config([{ id: 'oj-229', reason: 'tasks only', until: '2025-07-01', line: 2 }]), ['redis-612', 'redis-612']);
    expect(rules).toEqual([
      { id: 'oj-229', reason: 'tasks only', until: '2025-07-01', source: 'config', file: '.gemleak.toml', line: 2 },
      { id: 'redis-612', reason: 'ignored with --ignore', until: null, source: 'cli', file: null, line: null },
    ]);
    const active = activeSuppressions(rules, today);
    expect([...active.keys()]).toEqual(['oj-229', 'redis-612']);
    expect(active.get('oj-229')).toEqual({ reason: 'tasks only', until: '2025-07-01' });
  });

  it('shows the config reason while it holds; --ignore of the same id still applies after it expired', () => {
    const holding = ignoreRules(config([{ id: 'oj-229', reason: 'tasks only', until: '2025-07-01', line: 2 }]), ['oj-229']);
    expect(activeSuppressions(holding, today).get('oj-229')?.reason).toBe('tasks only');
    const expired = ignoreRules(config([{ id: 'oj-229', reason: 'tasks only', until: '2025-01-01', line: 2 }]), ['oj-229']);
    expect(activeSuppressions(expired, today).get('oj-229')).toEqual({ reason: 'ignored with --ignore', until: null });
  });
});

describe('reviewIgnores: statuses and warnings', () => {
  const rules = ignoreRules(
    config([
      { id: 'oj-229', reason: 'tasks only', until: null, line: 2 },
      { id: 'redis-612', reason: 'cluster upgrade', until: '2025-06-01', line: 6 },
      { id: 'grape-301', reason: 'old', until: '2025-01-01', line: 10 },
      { id: 'sidekiq-2598', reason: 'upgraded last month', until: null, line: 14 },
      { id: 'sidekiq-9999', reason: 'typo', until: null, line: 18 },
    ]),
    ['nope-1'],
  );
  const findings = [finding('oj', '229', 'a/Gemfile.lock'), finding('oj', '229', 'b/Gemfile.lock'), finding('redis', '612')];
  const review = reviewIgnores(rules, findings, { today, knownKeys: new Set(['oj-229', 'redis-612', 'grape-301', 'sidekiq-2598']), lockfiles: 2 });

  it('says what became of each rule, counting matches across every lockfile', () => {
    expect(review.records.map(({ id, status, matches }) => ({ id, status, matches }))).toEqual([
      { id: 'oj-229', status: 'applied', matches: 2 },
      { id: 'redis-612', status: 'expired', matches: 1 },
      { id: 'grape-301', status: 'expired', matches: 0 },
      { id: 'sidekiq-2598', status: 'unused', matches: 0 },
      { id: 'sidekiq-9999', status: 'unused', matches: 0 },
      { id: 'nope-1', status: 'unused', matches: 0 },
    ]);
  });

  it('warns about expired and stale ignores at their line, and flags ids no database has', () => {
    expect(review.warnings).toEqual([
      {
        file: '.gemleak.toml',
        line: 6,
        message: 'ignore redis-612 expired on 2025-06-01 (reason: cluster upgrade); its finding counts again: fix it, or move until to a later date',
      },
      { file: '.gemleak.toml', line: 10, message: 'ignore grape-301 expired on 2025-01-01 and matches no finding any more: remove it' },
      { file: '.gemleak.toml', line: 14, message: 'ignore sidekiq-2598 matched no finding in the 2 lockfiles checked: remove it if the gem was upgraded or removed' },
      {
        file: '.gemleak.toml',
        line: 18,
        message: 'ignore sidekiq-9999 matched no finding in the 2 lockfiles checked: remove it if the gem was upgraded or removed; no database in use has an advisory sidekiq-9999 (a typo?)',
      },
      { message: '--ignore nope-1 matched no finding (ids are written <gem>-<advisory id>, e.g. celluloid-670); no database in use has an advisory nope-1 (a typo?)' },
    ]);
  });

  it('gives no warning when every ignore applies', () => {
    const clean = reviewIgnores(ignoreRules(config([{ id: 'oj-229', reason: 'r', until: '2025-06-15', line: 2 }]), []), findings, { today, knownKeys: new Set(), lockfiles: 1 });
    expect(clean.warnings).toEqual([]);
    expect(clean.records[0]?.status).toBe('applied');
  });
});
