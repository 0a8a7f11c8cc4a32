import type { AppliesWhen, InterpreterAdvisory } from '../advisories/types.js';
import type { AdvisorySource, MergedInterpreterAdvisory } from '../advisories/merge.js';
import { GemleakError } from '../errors.js';
import { GemVersion, isValidGemVersion } from '../versions/index.js';
import { inLeakyRange, matchingCopies } from './match.js';

/** One interpreter advisory that applies to the Ruby in use. */
export interface InterpreterFinding {
  /** The engine and version as audited (`ruby`, `3.3.0`). */
  engine: string;
  version: string;
  advisory: InterpreterAdvisory | MergedInterpreterAdvisory;
  /**
   * The condition that must hold for the leak to matter (`yjit`: "only with YJIT enabled ..."), or
   * null when it always does. gemleak cannot see the runtime flags, so reports say it as a condition.
   */
  appliesWhen: AppliesWhen | null;
  /** For a merged advisory: the databases whose copy flags this version (else empty). */
  sources: AdvisorySource[];
}

/**
 * A Ruby version as a comparable version, from the ways projects write one: `3.3.0`, `3.3.0p0`
 * (the lockfile's `RUBY VERSION` line), `3.4.0-preview1` / `3.4.0.preview1`. Null when the text is
 * not an exact version: `3.3` in `.ruby-version` means "some 3.3.x", which cannot be audited.
 */
export function parseRubyVersion(text: string): GemVersion | null {
  const trimmed = text.trim();
  const patchLevel = /^(\d+\.\d+\.\d+)(?:-?p\d+)?$/.exec(trimmed);
  if (patchLevel?.[1] !== undefined) return GemVersion.parse(patchLevel[1]);
  const prerelease = /^(\d+\.\d+\.\d+)[-.]((?:preview|rc)\d+)$/.exec(trimmed);
  if (prerelease?.[1] !== undefined && isValidGemVersion(`${prerelease[1]}.${prerelease[2]}`)) return GemVersion.parse(`${prerelease[1]}.${prerelease[2]}`);
  return null;
}

/**
 * The interpreter advisories that apply to `engine` at `version` (pure: no I/O). An advisory applies
 * when it is for the same engine and the version is in its leaky range (leaky, patched and
 * unaffected versions as for gems; for a merged advisory, when any copy says so). Throws GemleakError
 * RUBY_VERSION_INVALID for a version parseRubyVersion does not read: callers that found the version
 * in a file check it first and say "no exact Ruby version known" instead.
 */
export function auditInterpreter(engine: string, version: string | GemVersion, advisories: readonly (InterpreterAdvisory | MergedInterpreterAdvisory)[]): InterpreterFinding[] {
  const parsed = typeof version === 'string' ? parseRubyVersion(version) : version;
  if (parsed === null) throw new GemleakError('RUBY_VERSION_INVALID', `'${String(version).slice(0, 40)}' is not an exact Ruby version (such as 3.3.0 or 3.3.0p0)`);
  const wanted = engine.toLowerCase();
  const findings: InterpreterFinding[] = [];
  for (const advisory of advisories) {
    if (advisory.engine.toLowerCase() !== wanted) continue;
    const flagging = matchingCopies<InterpreterAdvisory>(advisory).filter((copy) => inLeakyRange(copy.advisory, parsed));
    if (flagging.length === 0) continue;
    findings.push({
      engine,
      version: typeof version === 'string' ? version : version.toString(),
      advisory,
      appliesWhen: advisory.appliesWhen,
      sources: flagging.flatMap((copy) => (copy.source === null ? [] : [copy.source])),
    });
  }
  return findings;
}
