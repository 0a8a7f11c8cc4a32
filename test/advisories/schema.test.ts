import { describe, expect, it } from 'vitest';
import { parseAdvisory, unknownAdvisoryKeys } from '../../src/advisories/schema.js';
import { severityOf } from '../../src/advisories/types.js';
import { GemleakError } from '../../src/errors.js';

const location = { file: 'gems/redis/612.yml', gemFolder: 'redis', id: '612' };

const valid = `---
gem: redis
url: https://github.com/redis/redis-rb/issues/612
title: Timeout threads pile up
date: 2016-04-25
description: |
  Every write started a thread.
leaky_versions:
  - "= 3.2.2"
  - "= 3.3.0"
patched_versions:
  - ">= 3.3.1"
related:
  url:
    - https://github.com/redis/redis-rb/pull/613
`;

function errorOf(text: string): GemleakError {
  try {
    parseAdvisory(text, location);
  } catch (error) {
    if (error instanceof GemleakError) return error;
    throw error;
  }
  throw new Error('expected the advisory to be rejected');
}

describe('parseAdvisory', () => {
  it('reads every field of a valid advisory', () => {
    expect(parseAdvisory(valid, location)).toEqual({
      id: '612',
      gem: 'redis',
      url: 'https://github.com/redis/redis-rb/issues/612',
      title: 'Timeout threads pile up',
      date: '2016-04-25',
      description: 'Every write started a thread.\n',
      leakyVersions: ['= 3.2.2', '= 3.3.0'],
      patchedVersions: ['>= 3.3.1'],
      unaffectedVersions: [],
      platform: null,
      framework: null,
      related: ['https://github.com/redis/redis-rb/pull/613'],
      trigger: null,
      evidence: null,
      corrects: [],
      withdrawn: null,
      file: 'gems/redis/612.yml',
    });
  });

  it('accepts a single requirement string where a list is usual, and related_links', () => {
    const advisory = parseAdvisory(`${valid.replace(/leaky_versions:\n( {2}- .*\n)+/, 'leaky_versions: "= 3.3.0"\n')}related_links:\n  - https://example.com/a\n`, location);
    expect(advisory.leakyVersions).toEqual(['= 3.3.0']);
    expect(advisory.related).toEqual(['https://github.com/redis/redis-rb/pull/613', 'https://example.com/a']);
  });

  it.each([
    ['not YAML', 'gem: [redis\n', 'not valid YAML', 2],
    ['a list instead of a mapping', '- gem: redis\n', 'must be a YAML mapping', 1],
    ['missing gem', valid.replace('gem: redis\n', ''), "missing required field 'gem'", undefined],
    ['gem not matching its folder', valid.replace('gem: redis', 'gem: rediss'), 'does not match its folder', 2],
    ['missing title', valid.replace('title: Timeout threads pile up\n', ''), "missing required field 'title'", undefined],
    ['empty title', valid.replace('title: Timeout threads pile up', 'title: ""'), "'title' must not be empty", 4],
    ['bad url', valid.replace('url: https://github.com/redis/redis-rb/issues/612', 'url: javascript:alert(1)'), 'must be an http(s) URL', 3],
    ['impossible date', valid.replace('2016-04-25', '2016-02-30'), 'real date', 5],
    ['date in another format', valid.replace('2016-04-25', '25/04/2016'), 'real date', 5],
    ['number instead of string', valid.replace('title: Timeout threads pile up', 'title: 42'), "'title' must be a string", 4],
    ['bad requirement', valid.replace('">= 3.3.1"', '"=> 3.3.1"'), 'not a RubyGems requirement', 12],
    ['requirement list of maps', valid.replace('  - ">= 3.3.1"', '  - {a: 1}'), 'must be a list of strings', 12],
    ['duplicate key', valid.replace('title: Timeout threads pile up\n', 'title: a\ntitle: b\n'), 'not valid YAML', 5],
    ['an alias', valid.replace('patched_versions:\n  - ">= 3.3.1"', 'patched_versions: &p\n  - ">= 3.3.1"\nunaffected_versions: *p'), 'aliases are not allowed', 13],
    ['a custom tag', valid.replace('title: Timeout threads pile up', 'title: !ruby/object:Foo x'), 'not valid YAML', 4],
    ['a binary tag', valid.replace('title: Timeout threads pile up', 'title: !!binary aGVsbG8='), 'not valid YAML', 4],
    ['related not a mapping', valid.replace(/related:\n(.*\n)+/, 'related: 3\n'), "'related' must be a mapping", 13],
  ])('rejects %s', (_name, text, message, line) => {
    const error = errorOf(text);
    expect(error.code).toBe('ADVISORY_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.file).toBe('gems/redis/612.yml');
    expect(error.message).toContain(message);
    expect(error.line).toBe(line);
  });

  it('reads trigger, evidence, corrects and withdrawn', () => {
    const text = `${valid}trigger: traffic
evidence:
  fix: https://github.com/redis/redis-rb/commit/abc
  fixed_in: "3.3.1"
  changelog: "CHANGELOG 3.3.1: Timeout removed"
  introduced_by: https://github.com/redis/redis-rb/commit/def
  introduced_in: "3.3.0"
  notes: git tag --contains
corrects:
  - source: https://github.com/rubymem/ruby-mem-advisory-db
    reason: 3.2.2 is not leaky
    evidence: https://github.com/redis/redis-rb/issues/612
withdrawn: not a leak after all
`;
    expect(parseAdvisory(text, location)).toMatchObject({
      trigger: 'traffic',
      evidence: {
        fix: 'https://github.com/redis/redis-rb/commit/abc',
        fixedIn: '3.3.1',
        changelog: 'CHANGELOG 3.3.1: Timeout removed',
        introducedBy: 'https://github.com/redis/redis-rb/commit/def',
        introducedIn: '3.3.0',
        notes: 'git tag --contains',
      },
      corrects: [{ source: 'https://github.com/rubymem/ruby-mem-advisory-db', reason: '3.2.2 is not leaky', evidence: 'https://github.com/redis/redis-rb/issues/612' }],
      withdrawn: 'not a leak after all',
    });
    expect(severityOf(parseAdvisory(text, location))).toBe('high');
    expect(severityOf(parseAdvisory(text.replace('trigger: traffic', 'trigger: feature'), location))).toBe('medium');
    expect(severityOf(parseAdvisory(text.replace('trigger: traffic', 'trigger: rare'), location))).toBe('low');
    expect(severityOf(parseAdvisory(valid, location))).toBe('high');
  });

  it.each([
    ['an unknown trigger', 'trigger: sometimes\n', "unknown trigger 'sometimes' (known: traffic, feature, rare)", 16],
    ['a trigger list', 'trigger: [traffic]\n', "'trigger' must be a string", 16],
    ['evidence not a mapping', 'evidence: https://example.com\n', "'evidence' must be a mapping", 16],
    ['an unquoted version', 'evidence:\n  fixed_in: 3.5\n', "'evidence.fixed_in' must be a string (quote versions", 17],
    ['a version that is not one', 'evidence:\n  fixed_in: "three"\n', "'evidence.fixed_in' must be a version", 17],
    ['a fix that is not a URL', 'evidence:\n  fix: abc123\n', "'evidence.fix' must be an http(s) URL", 17],
    ['corrects not a list', 'corrects:\n  source: https://example.com\n', "'corrects' must be a list of mappings", 17],
    ['a correction without reason', 'corrects:\n  - source: https://example.com/db\n    evidence: https://example.com/e\n', "missing required field 'corrects[0].reason'", 17],
    ['a correction with a bad evidence URL', 'corrects:\n  - source: s\n    reason: r\n    evidence: see issue\n', "'corrects[0].evidence' must be an http(s) URL", 19],
  ])('rejects %s', (_name, extra, message, line) => {
    const error = errorOf(`${valid}${extra}`);
    expect(error.message).toContain(message);
    expect(error.line).toBe(line);
  });

  it('lists keys the schema does not know, for db lint', () => {
    expect(unknownAdvisoryKeys(`${valid}severity: high\ncve: 2020-1\n`)).toEqual([{ key: 'severity', line: 16 }]);
  });
});
