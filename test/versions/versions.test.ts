import { describe, expect, it } from 'vitest';
import { GemleakError } from '../../src/errors.js';
import { GemRequirement, GemVersion, compareGemVersions, isValidGemRequirement, isValidGemVersion, satisfiesRequirement } from '../../src/versions/index.js';

function thrown(action: () => unknown): GemleakError {
  try {
    action();
  } catch (error) {
    if (error instanceof GemleakError) return error;
    throw error;
  }
  throw new Error('expected a GemleakError, nothing was thrown');
}

describe('GemVersion syntax', () => {
  it.each([
    ['1', true],
    ['1.0', true],
    ['4.2.11.1', true],
    ['1.0.0.rc1', true],
    ['2.0.0.RC3', true],
    ['1.0a', true],
    ['1.0.0a1', true],
    ['1.0.0-rc1', true],
    ['1.0.0-rc.1', true],
    ['1.0--', true],
    [' 1.0 ', true],
    ['', true],
    ['   ', true],
    ['20230101123456789012', true],
    ['1a', false],
    ['v1.0', false],
    ['1..2', false],
    ['1.0_1', false],
    ['1.0-', false],
    ['1.0.0+build', false],
    ['1.0 beta', false],
    ['.1', false],
    ['1.', false],
    ['1.0\u00a0', false],
    ['\uff11.\uff10', false],
  ])('%j valid: %s', (text, valid) => {
    expect(isValidGemVersion(text)).toBe(valid);
  });

  it('names the bad string in a VERSION_SYNTAX error', () => {
    const error = thrown(() => GemVersion.parse('1.0 beta'));
    expect(error.code).toBe('VERSION_SYNTAX');
    expect(error.message).toContain('"1.0 beta"');
  });

  it.each([
    ['1.0.0-rc1', '1.0.0.pre.rc1'],
    ['1.0.0-rc.1', '1.0.0.pre.rc.1'],
    [' 1.0 ', '1.0'],
    ['\t2.1\n', '2.1'],
    ['', '0'],
    ['1.01', '1.01'],
    ['2.0.0.RC3', '2.0.0.RC3'],
  ])('%j is written %j', (text, normalized) => {
    expect(GemVersion.parse(text).toString()).toBe(normalized);
  });

  it('serialises to its string in JSON, BigInt segments notwithstanding', () => {
    expect(JSON.stringify({ version: GemVersion.parse('20230101123456789012.1') })).toBe('{"version":"20230101123456789012.1"}');
  });
});

describe('GemVersion parts', () => {
  it.each([
    ['4.2.11.1', false],
    ['1.0.a', true],
    ['2.0.0.rc1', true],
    ['1.0a', true],
    ['1.0.0-1', true],
    ['1.0.0', false],
  ])('%j prerelease: %s', (text, prerelease) => {
    expect(GemVersion.parse(text).isPrerelease).toBe(prerelease);
  });

  it.each([
    ['1.0.0.rc1', '1.0.0'],
    ['1.2.0.a.1', '1.2.0'],
    ['1.0a', '1.0'],
    ['1.0.0-rc1', '1.0.0'],
    ['01.02.a', '1.2'],
    ['4.2.11.1', '4.2.11.1'],
    ['01.0', '01.0'],
  ])('release of %j is %j', (text, release) => {
    expect(GemVersion.parse(text).release().toString()).toBe(release);
  });

  it.each([
    ['5.3.1', '5.4'],
    ['5.3.1.b.2', '5.4'],
    ['0.12.3', '0.13'],
    ['1.0', '2'],
    ['1', '2'],
    ['1.0.0.rc1', '1.1'],
    ['2.0.a', '3'],
    ['4.2.11.1', '4.2.12'],
    ['1.18446744073709551615.3', '1.18446744073709551616'],
  ])('bump of %j is %j', (text, bump) => {
    expect(GemVersion.parse(text).bump().toString()).toBe(bump);
  });
});

describe('GemVersion ordering (RubyGems <=>, not SemVer)', () => {
  it.each([
    ['4.2.11.1', '4.2.2', 1],
    ['4.2.11.1', '4.2.11', 1],
    ['1.0.0.rc1', '1.0.0', -1],
    ['1.0.rc', '1.0.0', -1],
    ['1.0.beta', '1.0.rc', -1],
    ['1.0.RC', '1.0.beta', -1],
    ['1.0.0.alpha', '1.0.0.a', 1],
    ['1.0.0.a10', '1.0.0.a9', 1],
    ['2.0.0.pre', '2.0.0.rc1', -1],
    ['1.0.0-rc1', '1.0.0.rc1', -1],
    ['1.2.3.4', '1.2.3', 1],
    ['1.0.a', '1.0', -1],
    ['1.01', '1.1', 0],
    ['1.0.0', '1', 0],
    ['1.0.a', '1.a', 0],
    ['1.0.0.rc1.0', '1.0.0.rc1', 0],
    ['', '0', 0],
    ['9007199254740993', '9007199254740992', 1],
    ['1.100000000000000000001', '1.100000000000000000000', 1],
  ] as const)('%j <=> %j is %d', (a, b, order) => {
    expect(GemVersion.parse(a).compare(GemVersion.parse(b))).toBe(order);
    expect(compareGemVersions(b, a)).toBe(order === 0 ? 0 : -order);
  });

  it('keeps canonical equality apart from the string', () => {
    const short = GemVersion.parse('1.1');
    const padded = GemVersion.parse('1.01');
    expect(padded.equals(short)).toBe(true);
    expect(padded.toString()).not.toBe(short.toString());
  });

  it('sorts a list the way RubyGems does', () => {
    const sorted = ['1.0', '1.0.0.rc1', '1.0.0.RC1', '0.9', '1.0.0-rc1', '1.0.1', '1.0.0.beta'].sort(compareGemVersions);
    expect(sorted).toEqual(['0.9', '1.0.0.RC1', '1.0.0.beta', '1.0.0-rc1', '1.0.0.rc1', '1.0', '1.0.1']);
  });

  it('rejects an invalid string given to compare', () => {
    expect(thrown(() => GemVersion.parse('1.0').compare('1.0 beta')).code).toBe('VERSION_SYNTAX');
  });
});

describe('GemRequirement syntax', () => {
  it.each([
    ['= 1.0', '= 1.0'],
    ['1.0', '= 1.0'],
    ['~>1.0', '~> 1.0'],
    ['  >=  1.0  ', '>= 1.0'],
    ['>=\t1.0', '>= 1.0'],
    ['~> 1.0-rc1', '~> 1.0.pre.rc1'],
    ['> 0.16.0, < 0.17.2', '> 0.16.0, < 0.17.2'],
    ['>= 1.0,< 2', '>= 1.0, < 2'],
    ['>= 1.0, >= 1.0', '>= 1.0'],
    ['!= 1.2.3', '!= 1.2.3'],
  ])('%j is read as %j', (text, written) => {
    expect(GemRequirement.parse(text).toString()).toBe(written);
  });

  it.each(['=> 1.0', '~> 1.0 beta', '>= 1.0,', ', >= 1', '>= 1.0,,< 2', '', ' ', '>=', '== 1', '^1.0', '~ 1.0', '>= 1a', '> 1.0 < 2'])('%j is a REQUIREMENT_SYNTAX error naming it', (text) => {
    const error = thrown(() => GemRequirement.parse(text));
    expect(error.code).toBe('REQUIREMENT_SYNTAX');
    expect(error.message).toContain(JSON.stringify(text));
    expect(isValidGemRequirement(text)).toBe(false);
  });

  it('names the bad part of a compound requirement', () => {
    expect(thrown(() => GemRequirement.parse('> 1.0, => 2')).message).toContain('"=> 2"');
  });

  it('reads an array as a conjunction and an empty one as the default >= 0', () => {
    expect(GemRequirement.parse(['> 0.16.0', '< 0.17.2']).toString()).toBe('> 0.16.0, < 0.17.2');
    expect(GemRequirement.parse([]).toString()).toBe('>= 0');
    expect(GemRequirement.parse([]).satisfiedBy('0.0.1.a')).toBe(true);
  });

  it('exposes its constraints as parsed versions', () => {
    const { constraints } = GemRequirement.parse('~> 4.2.11, >= 4.2.11.1');
    expect(constraints.map(({ operator, version }) => [operator, version.toString()])).toEqual([
      ['~>', '4.2.11'],
      ['>=', '4.2.11.1'],
    ]);
  });
});

describe('GemRequirement satisfiedBy', () => {
  it.each([
    ['~> 0.12.3', '0.12.10', true],
    ['~> 0.12.3', '0.13.0', false],
    ['~> 0.12.3', '0.13.0.a', false],
    ['~> 1.0', '1.9.9', true],
    ['~> 1.0', '1.5.0.rc1', true],
    ['~> 1.0', '2.0.0.a', false],
    ['~> 1', '1.9', true],
    ['~> 1', '2.0', false],
    ['~> 0', '0.9', true],
    ['~> 0', '1.0', false],
    ['~> 1.0.0.rc1', '1.0.0.rc2', true],
    ['~> 1.0.0.rc1', '1.0.9', true],
    ['~> 1.0.0.rc1', '1.1.0.a', false],
    ['~> 1.0.a', '1.9', true],
    ['~> 2.0.0.rc1', '2.0.0', true],
    ['~> 2.0.0.rc1', '2.0.0.RC3', false],
    ['~> 1.0.0.beta', '1.0.0.Beta', false],
    ['>= 11.52.3.20161107.RC3', '11.52.3.20161107.rc2', true],
    ['= 1.0', '1', true],
    ['!= 1.2.3', '1.2.3.0', false],
    ['!= 1.2.3', '1.2.3.1', true],
    ['< 4.2.11.1', '4.2.11', true],
    ['>= 4.2.11.1', '4.2.11', false],
    ['~> 4.2.11, >= 4.2.11.1', '4.2.11.1', true],
    ['~> 4.2.11, >= 4.2.11.1', '4.3.0', false],
    ['< 1.0.0', '1.0.0.rc1', true],
    ['>= 0', '1.0.0.rc1', true],
    ['> 0.16.0, < 0.17.2', '0.17.2.rc1', true],
    ['> 0.16.0, < 0.17.2', '0.17.2', false],
    ['= 9007199254740993', '9007199254740992', false],
  ] as const)('%j satisfied by %j: %s', (requirement, version, met) => {
    expect(GemRequirement.parse(requirement).satisfiedBy(GemVersion.parse(version))).toBe(met);
    expect(satisfiesRequirement(version, requirement)).toBe(met);
  });

  it('rejects an invalid version string rather than answering false', () => {
    expect(thrown(() => GemRequirement.parse('>= 1').satisfiedBy('1.0 beta')).code).toBe('VERSION_SYNTAX');
  });
});

describe('hostile input', () => {
  // A backtracking trim or version pattern is quadratic or worse on these; the real one is linear.
  it.each([
    ['a long run of inner spaces', `1${' '.repeat(200_000)}x`],
    ['a long dotted tail that fails at the end', `${'1.a'.repeat(70_000)}!`],
    ['a long dash tail that fails at the end', `1-${'a-'.repeat(100_000)}.`],
    ['many commas', `>= 1${', >= 1'.repeat(20_000)},`],
  ])('rejects %s quickly', (_name, text) => {
    const started = performance.now();
    expect(isValidGemVersion(text)).toBe(false);
    expect(isValidGemRequirement(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
