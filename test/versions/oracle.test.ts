import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GemRequirement, GemVersion, compareGemVersions, isValidGemRequirement, isValidGemVersion } from '../../src/versions/index.js';
import { repoRoot } from '../helpers/paths.js';
import { skipNoTool } from '../helpers/skip.js';

/**
 * Replays every answer real RubyGems gave in `rubygems-oracle.json` (made by
 * `scripts/gen-version-oracle.rb`). Each category loops and collects mismatches, so a failure lists
 * exactly the cases that disagree and a passing run stays fast.
 */

interface ValidVersionEntry {
  input: string;
  valid: true;
  string: string;
  prerelease: boolean;
  release: string;
  bump: string;
}
type VersionEntry = ValidVersionEntry | { input: string; valid: false };
type RequirementEntry = { input: string; valid: true; string: string } | { input: string; valid: false };

interface Oracle {
  generator: string;
  ruby: string;
  rubygems: string;
  seed: number;
  versions: VersionEntry[];
  comparisons: [string, string, -1 | 0 | 1][];
  requirements: RequirementEntry[];
  satisfaction: [string, string, boolean][];
}

const scriptPath = path.join(repoRoot, 'scripts/gen-version-oracle.rb');
const oraclePath = path.join(repoRoot, 'test/fixtures/versions/rubygems-oracle.json');
const oracleText = readFileSync(oraclePath, 'utf8');
const oracle = JSON.parse(oracleText) as Oracle;
const validVersions = oracle.versions.filter((entry): entry is ValidVersionEntry => entry.valid);

function errorCode(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

function mismatchesOf<T>(rows: readonly T[], check: (row: T) => string | null): string[] {
  return rows.map(check).filter((mismatch): mismatch is string => mismatch !== null);
}

function expectOne<T>(what: string, actual: T, expected: T): string | null {
  return Object.is(actual, expected) ? null : `${what}: got ${String(actual)}, RubyGems says ${String(expected)}`;
}

describe(`RubyGems ${oracle.rubygems} (Ruby ${oracle.ruby}) oracle`, () => {
  it('holds a large corpus, so an emptied or truncated file fails', () => {
    expect(oracle.generator).toBe('scripts/gen-version-oracle.rb');
    expect(oracle.versions.length).toBeGreaterThanOrEqual(700);
    expect(oracle.versions.filter((entry) => !entry.valid).length).toBeGreaterThanOrEqual(30);
    expect(oracle.comparisons.length).toBeGreaterThanOrEqual(3_500);
    expect(oracle.requirements.length).toBeGreaterThanOrEqual(300);
    expect(oracle.requirements.filter((entry) => !entry.valid).length).toBeGreaterThanOrEqual(20);
    expect(oracle.satisfaction.length).toBeGreaterThanOrEqual(5_000);
    expect(oracle.comparisons.length + oracle.satisfaction.length).toBeGreaterThanOrEqual(9_000);
    for (const answer of [-1, 0, 1]) expect(oracle.comparisons.some(([, , order]) => order === answer)).toBe(true);
    for (const answer of [true, false]) expect(oracle.satisfaction.some(([, , met]) => met === answer)).toBe(true);
  });

  it('accepts and rejects the same version strings (Gem::Version.correct?)', () => {
    const mismatches = mismatchesOf(oracle.versions, ({ input, valid }) => {
      const code = errorCode(() => GemVersion.parse(input));
      const expectedCode = valid ? null : 'VERSION_SYNTAX';
      return expectOne(`isValidGemVersion(${JSON.stringify(input)})`, isValidGemVersion(input), valid) ?? expectOne(`GemVersion.parse(${JSON.stringify(input)}) error`, code, expectedCode);
    });
    expect(mismatches).toEqual([]);
  });

  it('normalises to the same string (to_s)', () => {
    const mismatches = mismatchesOf(validVersions, ({ input, string }) => expectOne(`${JSON.stringify(input)}.toString()`, GemVersion.parse(input).toString(), string));
    expect(mismatches).toEqual([]);
  });

  it('agrees on prerelease?', () => {
    const mismatches = mismatchesOf(validVersions, ({ input, prerelease }) => expectOne(`${JSON.stringify(input)}.isPrerelease`, GemVersion.parse(input).isPrerelease, prerelease));
    expect(mismatches).toEqual([]);
  });

  it('agrees on release', () => {
    const mismatches = mismatchesOf(validVersions, ({ input, release }) => expectOne(`${JSON.stringify(input)}.release()`, GemVersion.parse(input).release().toString(), release));
    expect(mismatches).toEqual([]);
  });

  it('agrees on bump', () => {
    const mismatches = mismatchesOf(validVersions, ({ input, bump }) => expectOne(`${JSON.stringify(input)}.bump()`, GemVersion.parse(input).bump().toString(), bump));
    expect(mismatches).toEqual([]);
  });

  it('orders every pair as <=> does, in both directions', () => {
    const mismatches = mismatchesOf(oracle.comparisons, ([left, right, order]) => {
      const a = GemVersion.parse(left);
      const b = GemVersion.parse(right);
      const label = `${JSON.stringify(left)} vs ${JSON.stringify(right)}`;
      return (
        expectOne(`${label} compare`, a.compare(b), order) ??
        expectOne(`${label} reversed`, b.compare(a), order === 0 ? 0 : -order) ??
        expectOne(`${label} equals`, a.equals(b), order === 0) ??
        expectOne(`${label} compareGemVersions`, compareGemVersions(left, right), order)
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('accepts and rejects the same requirements, and prints them the same way', () => {
    const mismatches = mismatchesOf(oracle.requirements, (entry) => {
      const label = JSON.stringify(entry.input);
      if (!entry.valid) {
        return (
          expectOne(`${label} valid`, isValidGemRequirement(entry.input), false) ??
          expectOne(
            `${label} error`,
            errorCode(() => GemRequirement.parse(entry.input)),
            'REQUIREMENT_SYNTAX',
          )
        );
      }
      return expectOne(`${label}.toString()`, GemRequirement.parse(entry.input).toString(), entry.string);
    });
    expect(mismatches).toEqual([]);
  });

  it('answers satisfied_by? the same way', () => {
    const parsed = new Map<string, GemRequirement>();
    const mismatches = mismatchesOf(oracle.satisfaction, ([requirementText, version, met]) => {
      let requirement = parsed.get(requirementText);
      if (requirement === undefined) {
        requirement = GemRequirement.parse(requirementText);
        parsed.set(requirementText, requirement);
      }
      return expectOne(`${JSON.stringify(requirementText)} satisfiedBy ${JSON.stringify(version)}`, requirement.satisfiedBy(version), met);
    });
    expect(mismatches).toEqual([]);
  });
});

const hasRuby = spawnSync('ruby', ['--version']).status === 0;

describe.skipIf(!hasRuby)(`the committed oracle is what the script prints ${hasRuby ? '' : skipNoTool('ruby', 'ruby')}`, () => {
  it('regenerates with the local ruby to the same answers', () => {
    const run = spawnSync('ruby', [scriptPath], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const fresh = JSON.parse(run.stdout) as Oracle;
    if (fresh.ruby === oracle.ruby && fresh.rubygems === oracle.rubygems) {
      const hint = 'stale or hand-edited; regenerate: ruby scripts/gen-version-oracle.rb > test/fixtures/versions/rubygems-oracle.json';
      expect(run.stdout === oracleText, hint).toBe(true);
      return;
    }
    // Another Ruby writes another header; the answers must still be the same.
    expect(fresh.versions).toEqual(oracle.versions);
    expect(fresh.comparisons).toEqual(oracle.comparisons);
    expect(fresh.requirements).toEqual(oracle.requirements);
    expect(fresh.satisfaction).toEqual(oracle.satisfaction);
  });
});
