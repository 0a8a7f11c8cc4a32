import { GemleakError } from '../errors.js';
import { quoteInput, trimRubySpace, trimRubySpaceEnd, trimRubySpaceStart } from './syntax.js';
import { GemVersion, isValidGemVersion } from './version.js';

type GemOperator = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';

export interface GemConstraint {
  readonly operator: GemOperator;
  readonly version: GemVersion;
}

/** Two-character operators first, so `>=` is never read as `>` followed by `=1.0`. */
const OPERATORS: readonly GemOperator[] = ['!=', '>=', '<=', '~>', '=', '>', '<'];

/**
 * The advisory database and the lockfile join constraints with `", "` in one string. RubyGems
 * itself rejects commas, so they are split here at each comma and the spaces around it. Empty
 * parts are kept, so that they are rejected: `"> 1, "` is a typo, not `> 1`.
 */
function splitConstraints(text: string): string[] {
  const pieces = text.split(',');
  const last = pieces.length - 1;
  return pieces.map((piece, index) => {
    const start = index > 0 ? trimRubySpaceStart(piece) : piece;
    return index < last ? trimRubySpaceEnd(start) : start;
  });
}

function requirementError(part: string, whole: string): GemleakError {
  const where = part === whole ? '' : ` (at ${quoteInput(part)})`;
  const expected = 'expected one of = != > < >= <= ~> and a version, like ">= 1.2.3, < 1.3"';
  return new GemleakError('REQUIREMENT_SYNTAX', `${quoteInput(whole)} is not a RubyGems requirement${where}: ${expected}`);
}

/** `Gem::Requirement::PATTERN`: optional operator (bare means `=`), optional spaces, a non-blank version. */
function parseConstraint(part: string, whole: string): GemConstraint {
  const body = trimRubySpace(part);
  const operator = OPERATORS.find((candidate) => body.startsWith(candidate));
  const versionText = operator === undefined ? body : trimRubySpaceStart(body.slice(operator.length));
  if (versionText === '' || !isValidGemVersion(versionText)) throw requirementError(part, whole);
  return { operator: operator ?? '=', version: GemVersion.parse(versionText) };
}

function meetsConstraint(version: GemVersion, { operator, version: bound }: GemConstraint): boolean {
  const order = version.compare(bound);
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '~>':
      // The release, not the version, is held under the bump: `2.0.0.a` is outside `~> 1.0`.
      return order >= 0 && version.release().compare(bound.bump()) < 0;
  }
}

/** A conjunction of constraints with exactly RubyGems' `Gem::Requirement` semantics. */
export class GemRequirement {
  readonly constraints: readonly GemConstraint[];

  private constructor(constraints: readonly GemConstraint[]) {
    this.constraints = constraints;
  }

  /**
   * `"> 0.16.0, < 0.17.2"` or `["> 0.16.0", "< 0.17.2"]`: every constraint must hold. An empty
   * array is RubyGems' default, `>= 0`; an empty string is an error. Throws `REQUIREMENT_SYNTAX`.
   */
  static parse(input: string | readonly string[]): GemRequirement {
    const texts = typeof input === 'string' ? [input] : input;
    const parts: { part: string; whole: string }[] = [];
    for (const whole of texts) {
      for (const part of splitConstraints(whole)) parts.push({ part, whole });
    }
    if (parts.length === 0) return new GemRequirement([{ operator: '>=', version: GemVersion.parse('0') }]);
    // RubyGems drops repeated constraints by their text before parsing them.
    const seen = new Set<string>();
    const unique = parts.filter(({ part }) => !seen.has(part) && seen.add(part));
    return new GemRequirement(unique.map(({ part, whole }) => parseConstraint(part, whole)));
  }

  /** `version` may be a string; an invalid one throws `VERSION_SYNTAX`. Prereleases are not excluded. */
  satisfiedBy(version: GemVersion | string): boolean {
    const candidate = GemVersion.from(version);
    return this.constraints.every((constraint) => meetsConstraint(candidate, constraint));
  }

  /** RubyGems' form: `>= 1.0, < 2`, a bare version written as `= 1.0`. */
  toString(): string {
    return this.constraints.map(({ operator, version }) => `${operator} ${version.toString()}`).join(', ');
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isValidGemRequirement(input: string | readonly string[]): boolean {
  try {
    GemRequirement.parse(input);
    return true;
  } catch (error) {
    if (error instanceof GemleakError) return false;
    throw error;
  }
}

export function satisfiesRequirement(version: GemVersion | string, requirement: GemRequirement | string | readonly string[]): boolean {
  const parsed = requirement instanceof GemRequirement ? requirement : GemRequirement.parse(requirement);
  return parsed.satisfiedBy(version);
}
