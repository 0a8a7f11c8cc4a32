import { GemleakError } from '../errors.js';
import { quoteInput, trimRubySpace } from './syntax.js';

/** A run of digits (exact at any size, as Ruby's Integer is) or a run of ASCII letters. */
type Segment = bigint | string;

/**
 * `Gem::Version::VERSION_PATTERN`, applied after trimming. Each repetition begins with a `.` that
 * none of the character classes contains, so a failing match backtracks in linear time.
 */
const VERSION_PATTERN = /^[0-9]+(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const LETTER = /[A-Za-z]/;

/** Longer strings are not versions here (RubyGems has no limit; no published gem is anywhere near it). */
const MAX_VERSION_LENGTH = 1024;

/**
 * The string RubyGems would store for `text`, or null when `Gem::Version.correct?` is false.
 * A blank string means `0`, and every `-` becomes `.pre.`, so `1.0.0-rc1` is kept as `1.0.0.pre.rc1`.
 */
function normalizeVersion(text: string): string | null {
  const trimmed = trimRubySpace(text);
  if (trimmed === '') return '0';
  // A pattern over megabytes can exhaust the regexp stack; no real version comes near the cap.
  if (trimmed.length > MAX_VERSION_LENGTH || !VERSION_PATTERN.test(trimmed)) return null;
  return trimmed.replaceAll('-', '.pre.');
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** RubyGems scans for `/[0-9]+|[a-z]+/i`: dots only separate, and `0a1` is three segments. */
function scanSegments(normalized: string): Segment[] {
  const segments: Segment[] = [];
  let index = 0;
  while (index < normalized.length) {
    const code = normalized.charCodeAt(index);
    const matches = isDigit(code) ? isDigit : isLetter(code) ? isLetter : null;
    if (matches === null) {
      index++;
      continue;
    }
    const start = index;
    while (index < normalized.length && matches(normalized.charCodeAt(index))) index++;
    const run = normalized.slice(start, index);
    segments.push(matches === isDigit ? BigInt(run) : run);
  }
  return segments;
}

function firstLetterSegment(segments: readonly Segment[]): number {
  const index = segments.findIndex((segment) => typeof segment === 'string');
  return index === -1 ? segments.length : index;
}

function withoutTrailingZeros(segments: readonly Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && segments[end - 1] === 0n) end--;
  return segments.slice(0, end);
}

/**
 * Trailing zeros are dropped from the release part and from the prerelease part separately, which
 * is what makes `1.0.0 == 1`, `1.0.a == 1.a` and `1.0.0.rc1.0 == 1.0.0.rc1`.
 */
function canonicalSegments(segments: readonly Segment[]): Segment[] {
  const split = firstLetterSegment(segments);
  return [...withoutTrailingZeros(segments.slice(0, split)), ...withoutTrailingZeros(segments.slice(split))];
}

/**
 * A missing segment counts as 0, so `1.0.a < 1.0`; a letter segment sorts before any number;
 * letters compare by code unit (`RC` < `beta`), never by locale.
 */
function compareSegments(left: readonly Segment[], right: readonly Segment[]): -1 | 0 | 1 {
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left[index] ?? 0n;
    const b = right[index] ?? 0n;
    if (a === b) continue;
    if (typeof a === 'string' && typeof b !== 'string') return -1;
    if (typeof a !== 'string' && typeof b === 'string') return 1;
    return a < b ? -1 : 1;
  }
  return 0;
}

/** A gem version with exactly RubyGems' `Gem::Version` semantics (not SemVer). */
export class GemVersion {
  /** True when the version contains a letter: `1.0.0.rc1`, `1.0a`, `1.0.0-1` (= `1.0.0.pre.1`). */
  readonly isPrerelease: boolean;
  private readonly normalized: string;
  private readonly segments: readonly Segment[];
  private readonly canonical: readonly Segment[];
  private releaseVersion: GemVersion | undefined;
  private bumpedVersion: GemVersion | undefined;

  private constructor(normalized: string) {
    this.normalized = normalized;
    this.segments = scanSegments(normalized);
    this.canonical = canonicalSegments(this.segments);
    this.isPrerelease = LETTER.test(normalized);
  }

  /** Throws a GemleakError `VERSION_SYNTAX` when RubyGems would reject `text`; a blank string is `0`. */
  static parse(text: string): GemVersion {
    const normalized = normalizeVersion(text);
    if (normalized === null) {
      throw new GemleakError('VERSION_SYNTAX', `${quoteInput(text)} is not a RubyGems version (such as 1.2.3 or 1.0.0.rc1)`);
    }
    return new GemVersion(normalized);
  }

  /** The same as `parse` for a version, so callers can pass either. */
  static from(version: GemVersion | string): GemVersion {
    return typeof version === 'string' ? GemVersion.parse(version) : version;
  }

  compare(other: GemVersion | string): -1 | 0 | 1 {
    const that = GemVersion.from(other);
    if (this.normalized === that.normalized) return 0;
    return compareSegments(this.canonical, that.canonical);
  }

  /** Ruby's `==`: `1.0.0` equals `1`, and `1.01` equals `1.1`, though their strings differ. */
  equals(other: GemVersion | string): boolean {
    return this.compare(other) === 0;
  }

  /** The version without its prerelease part: `1.0.0.rc1` gives `1.0.0`. A release returns itself. */
  release(): GemVersion {
    if (!this.isPrerelease) return this;
    this.releaseVersion ??= new GemVersion(this.releaseSegments().join('.'));
    return this.releaseVersion;
  }

  /**
   * The upper bound of `~>`: drop the prerelease part, then the last segment unless it is the only
   * one, then add 1 to the last. `5.3.1` gives `5.4`, `1.0` gives `2`, `1` gives `2`.
   */
  bump(): GemVersion {
    if (this.bumpedVersion === undefined) {
      const segments = this.releaseSegments();
      if (segments.length > 1) segments.pop();
      segments.push((segments.pop() ?? 0n) + 1n);
      this.bumpedVersion = new GemVersion(segments.join('.'));
    }
    return this.bumpedVersion;
  }

  /** The normalised string, as RubyGems prints it and Bundler locks it (`-` written as `.pre.`). */
  toString(): string {
    return this.normalized;
  }

  /** Without this, `JSON.stringify` would throw on the BigInt segments inside. */
  toJSON(): string {
    return this.normalized;
  }

  private releaseSegments(): bigint[] {
    return this.segments.slice(0, firstLetterSegment(this.segments)) as bigint[];
  }
}

export function isValidGemVersion(text: string): boolean {
  return normalizeVersion(text) !== null;
}

/** `a <=> b` in RubyGems terms; strings are parsed first and throw `VERSION_SYNTAX` when invalid. */
export function compareGemVersions(a: GemVersion | string, b: GemVersion | string): -1 | 0 | 1 {
  return GemVersion.from(a).compare(b);
}
