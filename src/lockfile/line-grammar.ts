/**
 * The shapes of single lockfile lines, without their indentation. Each parser returns the parts or a
 * `LineProblem`; `incomplete` marks a line that looks cut short (a missing `)` or version), which on
 * the file's last line means the file was truncated rather than hand-edited.
 */
export interface LineProblem {
  ok: false;
  problem: string;
  expected: string;
  incomplete: boolean;
}

export interface SpecParts {
  ok: true;
  name: string;
  version: string;
  platform: string | null;
}

export interface DependencyParts {
  ok: true;
  name: string;
  requirement: string;
}

export interface OptionParts {
  ok: true;
  key: string;
  value: string;
}

// RubyGems' Gem::Version::ANCHORED_VERSION_PATTERN. Each repetition starts with a literal `.` or `-`
// that the character class before it cannot match, so there is nothing to backtrack into.
const VERSION = String.raw`[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`;
const VERSION_PATTERN = new RegExp(String.raw`^\s*${VERSION}\s*$`);
// Gem::Requirement's pattern, and a comma-separated list of them tested in one go: commas cannot occur
// inside a requirement, so the parts cannot be split two ways.
const REQUIREMENT = String.raw`\s*(?:(?:~>|>=|<=|!=|=|>|<)\s*)?${VERSION}\s*`;
const REQUIREMENT_PATTERN = new RegExp(`^${REQUIREMENT}$`);
const REQUIREMENT_LIST_PATTERN = new RegExp(`^${REQUIREMENT}(?:,${REQUIREMENT})*$`);
// Gem::Specification's name rule; platforms use the same characters (`x86_64-linux-musl`, `java`).
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const OPTION_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** As versions/version.ts: longer strings are not taken for versions. */
const MAX_VERSION_LENGTH = 1024;

const SPEC_EXAMPLE = '`name (1.2.3)` or `name (1.2.3-x86_64-linux)`';
const DEPENDENCY_EXAMPLE = '`name` or `name (>= 1.0, < 2)`';

function isValidVersion(text: string): boolean {
  return VERSION_PATTERN.test(text);
}

function isValidGemName(text: string): boolean {
  return NAME_PATTERN.test(text);
}

/** A platform as PLATFORMS lists it and spec lines end with: `ruby`, `java`, `arm64-darwin-23`. */
export function isValidPlatform(text: string): boolean {
  return NAME_PATTERN.test(text);
}

/** `name (version[-platform])`: the version ends at the first `-`, because RubyGems never writes one inside it. */
export function parseSpecText(text: string): SpecParts | LineProblem {
  const open = text.indexOf(' (');
  if (open < 0) return problem(`no version after the gem name ${quote(text)}`, SPEC_EXAMPLE, true);
  const name = text.slice(0, open);
  if (!isValidGemName(name)) return problem(`invalid gem name ${quote(name)}`, SPEC_EXAMPLE);
  const close = text.indexOf(')', open);
  if (close < 0) return problem(`no closing parenthesis in ${quote(text)}`, SPEC_EXAMPLE, true);
  if (close !== text.length - 1) return problem(`unexpected text ${quote(text.slice(close + 1))} after the version`, SPEC_EXAMPLE);
  const dash = text.indexOf('-', open + 2);
  const hasPlatform = dash >= 0 && dash < close;
  const version = text.slice(open + 2, hasPlatform ? dash : close);
  const platform = hasPlatform ? text.slice(dash + 1, close) : null;
  if (version.length > MAX_VERSION_LENGTH) return problem(`the version is ${version.length} characters long (at most ${MAX_VERSION_LENGTH} are read)`, SPEC_EXAMPLE);
  if (!isValidVersion(version)) return problem(`${quote(version)} is not a valid RubyGems version`, SPEC_EXAMPLE);
  if (platform !== null && !isValidPlatform(platform)) return problem(`invalid platform ${quote(platform)}`, SPEC_EXAMPLE);
  return { ok: true, name, version: version.trim(), platform };
}

/** `name` or `name (requirement, requirement)`, as written under a spec and in DEPENDENCIES. */
export function parseDependencyText(text: string): DependencyParts | LineProblem {
  const open = text.indexOf(' (');
  const name = open < 0 ? text : text.slice(0, open);
  if (!isValidGemName(name)) return problem(`invalid gem name ${quote(name)}`, DEPENDENCY_EXAMPLE);
  if (open < 0) return { ok: true, name, requirement: '' };
  if (!text.endsWith(')')) return problem(`no closing parenthesis in ${quote(text)}`, DEPENDENCY_EXAMPLE, true);
  const requirement = text.slice(open + 2, -1);
  if (!REQUIREMENT_LIST_PATTERN.test(requirement)) {
    const bad = requirement.split(',').find((part) => !REQUIREMENT_PATTERN.test(part)) ?? requirement;
    return problem(`${quote(bad.trim())} is not a valid version requirement`, DEPENDENCY_EXAMPLE);
  }
  return { ok: true, name, requirement };
}

/**
 * A source option, `key: value`. Bundler's keys are letters only; underscores and digits are allowed
 * too because a plugin source writes whatever keys it likes.
 */
export function parseOptionText(text: string): OptionParts | LineProblem {
  const colon = text.indexOf(':');
  const key = colon < 0 ? text : text.slice(0, colon);
  const expected = '`key: value` (such as `remote: https://rubygems.org/`) or `specs:`';
  if (colon < 0 || !OPTION_KEY_PATTERN.test(key)) return problem(`${quote(text)} is not an option line`, expected, colon < 0);
  const value = text.slice(colon + 1).trim();
  if (value === '') return problem(`option ${quote(key)} has no value`, expected, true);
  return { ok: true, key, value };
}

function problem(found: string, expected: string, incomplete = false): LineProblem {
  return { ok: false, problem: found, expected, incomplete };
}

/** A line fragment for a one-line message: quoted, escaped (tabs show as \t) and kept short. */
export function quote(text: string): string {
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(short);
}
