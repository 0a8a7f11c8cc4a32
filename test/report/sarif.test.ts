import { describe, expect, it } from 'vitest';
import { fingerprint, renderSarif } from '../../src/report/sarif.js';
import { SKIP_NO_SHARED } from '../helpers/paths.js';
import { advisory, audit, context, finding, hasSarifSchema, result, sarifValidator } from './sample.js';

const busy = result(
  [
    audit(
      'api/Gemfile.lock',
      [
        finding('redis', '3.3.0', 'api/Gemfile.lock', 87),
        finding('oj', '0.9', 'api/Gemfile.lock', 40, { advisory: advisory('oj', '229', { patchedVersions: [] }), platforms: ['java', 'x86_64-linux'] }),
      ],
      [],
    ),
    audit('web/Gemfile.lock', [finding('redis', '3.2.2', 'web/Gemfile.lock', 12, { suppressed: { reason: 'web is retired in June', until: '2025-06-30' } })], []),
  ],
  { warnings: [{ message: 'ignore grape-301 matched no finding', file: '.gemleak.toml', line: 9 }] },
);

describe('renderSarif', () => {
  const log = JSON.parse(renderSarif(busy, context));
  const run = log.runs[0];

  it('has what GitHub code scanning requires', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'gemleak', semanticVersion: '0.1.0' });
    expect(run.automationDetails).toEqual({ id: 'gemleak/' });
  });

  it('has one rule per advisory (in the order results first use them), with help and no security severity', () => {
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(['oj-229', 'redis-612']);
    const [, redis] = run.tool.driver.rules;
    expect(redis.shortDescription.text).toBe('redis: redis keeps every request alive');
    expect(redis.fullDescription.text).toBe('redis holds on to memory. Second line.');
    expect(redis.help.markdown).toContain('id = "redis-612"');
    expect(redis.helpUri).toBe('https://github.com/example/redis/issues/612');
    expect(redis.properties).toEqual({ tags: ['memory-leak', 'performance', 'ruby'], precision: 'high', 'problem.severity': 'error' });
    expect(JSON.stringify(log)).not.toContain('security-severity');
  });

  it('has one result per finding at its spec line, with columns over `name (version)`', () => {
    expect(run.results).toHaveLength(3);
    const [oj, redis, web] = run.results;
    expect(redis.ruleId).toBe('redis-612');
    expect(redis.ruleIndex).toBe(1);
    expect(redis.locations).toEqual([
      { physicalLocation: { artifactLocation: { uri: 'monorepo/api/Gemfile.lock' }, region: { startLine: 87, startColumn: 5, endLine: 87, endColumn: 5 + 'redis (3.3.0)'.length } } },
    ]);
    expect(redis.message.text).toBe(
      'redis 3.3.0 has a known memory leak (redis-612): redis keeps every request alive. Leaky versions: = 3.2.2; = 3.3.0. Upgrade to 3.3.1 (safe: 3.3.1 and later): bundle update redis.',
    );
    // The first platform's spec line: `    oj (0.9-java)`.
    expect(oj.locations[0].physicalLocation.region).toEqual({ startLine: 40, startColumn: 5, endLine: 40, endColumn: 5 + 'oj (0.9-java)'.length });
    expect(oj.message.text).toContain('Platforms: java, x86_64-linux.');
    expect(oj.ruleIndex).toBe(0);
    expect(web.ruleIndex).toBe(1);
    expect(web.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'web is retired in June (until 2025-06-30)' }]);
    expect(redis.suppressions).toBeUndefined();
  });

  it('fingerprints without the line: moving the spec keeps it, a version bump changes it', () => {
    const moved = JSON.parse(renderSarif(result([audit('api/Gemfile.lock', [finding('redis', '3.3.0', 'api/Gemfile.lock', 120)], [])]), context));
    const bumped = JSON.parse(renderSarif(result([audit('api/Gemfile.lock', [finding('redis', '3.2.2', 'api/Gemfile.lock', 87)], [])]), context));
    const hash = run.results[1].partialFingerprints.primaryLocationLineHash;
    expect(hash).toBe(fingerprint('redis-612', 'monorepo/api/Gemfile.lock', 'redis', '3.3.0'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(moved.runs[0].results[0].partialFingerprints.primaryLocationLineHash).toBe(hash);
    expect(bumped.runs[0].results[0].partialFingerprints.primaryLocationLineHash).not.toBe(hash);
  });

  it('records warnings and what was checked in the run', () => {
    expect(run.invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [{ level: 'warning', message: { text: '.gemleak.toml:9: ignore grape-301 matched no finding' } }] }]);
    expect(run.properties.lockfiles).toEqual([
      { path: 'monorepo/api/Gemfile.lock', gemsChecked: 0 },
      { path: 'monorepo/web/Gemfile.lock', gemsChecked: 0 },
    ]);
  });

  it('keeps a clean run with empty rules and results (an upload then closes old alerts), categorised by its lockfile', () => {
    const clean = JSON.parse(renderSarif(result([audit('Gemfile.lock', [], [])]), context));
    expect(clean.runs).toHaveLength(1);
    expect(clean.runs[0].tool.driver.rules).toEqual([]);
    expect(clean.runs[0].results).toEqual([]);
    expect(clean.runs[0].automationDetails).toEqual({ id: 'gemleak/monorepo/Gemfile.lock/' });
  });

  it.skipIf(!hasSarifSchema)(`validates against the official SARIF 2.1.0 schema ${hasSarifSchema ? '' : SKIP_NO_SHARED}`, async () => {
    const validate = await sarifValidator();
    for (const document of [log, JSON.parse(renderSarif(result([audit('Gemfile.lock', [], [])]), context))]) {
      expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    }
    // The validator does reject what the schema forbids.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    expect(validate({ ...log, runs: [{ ...run, results: [{ ...run.results[0], level: 'fatal' }] }] })).toBe(false);
  });
});
