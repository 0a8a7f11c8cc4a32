import path from 'node:path';
import type { MergedInterpreterAdvisory } from '../advisories/merge.js';
import { type Advisory, type InterpreterAdvisory, ignoreKey, severityOf } from '../advisories/types.js';
import { auditInterpreter, parseRubyVersion } from '../audit/interpreter.js';
import { safeVersionsAbove } from '../audit/safe-versions.js';
import type { Finding, RubyVersionFound, Suppression } from '../audit/types.js';
import type { Lockfile } from '../lockfile/types.js';
import { appRoot, detectRubyVersion } from '../runtime/index.js';

/**
 * The Ruby a lockfile's app runs, from the lockfile's `RUBY VERSION` or the files beside it
 * (`.ruby-version`, `.tool-versions`, `mise.toml`, the Gemfile's `ruby` line, the Dockerfile), each
 * named with its file and line. Null when no exact MRI version is written anywhere.
 */
export function rubyVersionOf(lockfile: Lockfile, cwd: string): RubyVersionFound | null {
  const folder = path.dirname(lockfile.file);
  try {
    const lockfileRubyVersion = lockfile.rubyVersion === null || lockfile.rubyVersionLine === undefined ? null : { value: lockfile.rubyVersion, line: lockfile.rubyVersionLine };
    const detection = detectRubyVersion(folder, { lockfile: path.basename(lockfile.file), root: appRoot(folder, cwd), lockfileRubyVersion });
    const chosen = detection.chosen;
    if (chosen === null || chosen.version === null) return null;
    return { engine: chosen.engine, version: chosen.version, raw: chosen.raw, file: chosen.file, line: chosen.line, kind: chosen.kind };
  } catch {
    // An app folder that cannot be read (gone since the lockfile was read): no version known.
    return null;
  }
}

/**
 * Interpreter leaks as findings of the pseudo-gem `ruby`, so every format carries them: ignore key
 * `ruby-<id>`, located where the version is written, with the Ruby versions that are safe from every
 * interpreter advisory and what to change.
 */
export function interpreterFindings(lockfile: Lockfile, ruby: RubyVersionFound, advisories: readonly MergedInterpreterAdvisory[], ignores: ReadonlyMap<string, Suppression>): Finding[] {
  if (ruby.engine !== 'ruby' || parseRubyVersion(ruby.version) === null) return [];
  const asGem = advisories.filter((advisory) => advisory.engine === 'ruby').map(asGemAdvisory);
  const hits = auditInterpreter('ruby', ruby.version, advisories);
  if (hits.length === 0) return [];
  const safe = safeVersionsAbove(asGem, parseRubyVersion(ruby.version)!, [null]);
  const target = safe.minimum ?? 'a safe release';
  const command = `set Ruby ${target} in ${ruby.file}:${ruby.line} (and wherever else the app names its Ruby), then bundle install`;
  return hits.map((hit) => {
    const advisory = asGemAdvisory(hit.advisory);
    const suppressed = ignores.get(ignoreKey(advisory));
    return {
      gem: 'ruby',
      version: ruby.version,
      platforms: ['ruby'],
      lockfile: lockfile.file,
      line: ruby.kind === 'lockfile' ? ruby.line : 0,
      advisory,
      severity: severityOf(hit.advisory),
      fix: { patchedVersions: hit.advisory.patchedVersions, minimumSafeVersion: safe.minimum, safeVersions: safe.ranges, blockers: [], command, directory: null, gemfile: null, runnable: command },
      interpreter: { source: ruby, appliesWhen: hit.appliesWhen?.text ?? null },
      ...(suppressed ? { suppressed } : {}),
    };
  });
}

/**
 * An interpreter advisory in the shape the gem reports take: gem `ruby`, every platform. A merged
 * advisory keeps each database's copy, converted the same way, so matching still flags a version
 * when any copy does.
 */
function asGemAdvisory(advisory: InterpreterAdvisory | MergedInterpreterAdvisory): Advisory {
  const { engine, appliesWhen: _appliesWhen, ...rest } = advisory as MergedInterpreterAdvisory;
  const converted = { ...rest, gem: engine, platform: null, framework: null } as Advisory & { copies?: unknown };
  if ('copies' in advisory) converted.copies = advisory.copies.map((copy) => ({ ...copy, advisory: asGemAdvisory(copy.advisory) }));
  return converted;
}
