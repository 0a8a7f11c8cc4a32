import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { type InterpreterAdvisoryLike, interpreterAdvisoryFindings, minimumPatchedRuby } from '../../src/doctor/interpreter.js';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import type { InterpreterAdvisory } from '../../src/advisories/types.js';
import { repoRoot } from '../helpers/paths.js';

function advisory(
  fields: Pick<InterpreterAdvisory, 'id' | 'title' | 'url' | 'leakyVersions' | 'patchedVersions' | 'unaffectedVersions' | 'trigger'> & Partial<InterpreterAdvisory>,
): InterpreterAdvisory {
  return { engine: 'ruby', appliesWhen: null, date: '2024-04-23', description: '', related: [], file: `rubies/ruby/${fields.id}.yml`, ...fields };
}
import type { RubyVersionSource } from '../../src/runtime/types.js';

/** Shaped like the interpreter advisories of the database (ranges from the ruby/ruby release notes). */
const HASH_DUP: InterpreterAdvisoryLike = advisory({
  id: '20145',
  engine: 'ruby',
  title: 'Memory leak when duplicating an identity hash',
  url: 'https://bugs.ruby-lang.org/issues/20145',
  leakyVersions: [],
  patchedVersions: ['>= 3.3.1'],
  unaffectedVersions: ['< 3.3.0'],
  trigger: 'feature',
});
const TRACEPOINT: InterpreterAdvisoryLike = advisory({
  id: '20194',
  engine: 'ruby',
  title: 'TracePoint on a bmethod leaks its hooks list',
  url: 'https://bugs.ruby-lang.org/issues/20194',
  leakyVersions: [],
  patchedVersions: ['~> 3.2.4', '>= 3.3.0'],
  unaffectedVersions: ['< 3.2.0'],
  trigger: 'rare',
});
const YJIT: InterpreterAdvisoryLike = advisory({
  id: '20209',
  engine: 'ruby',
  title: 'YJIT retains objects with a singleton class',
  url: 'https://bugs.ruby-lang.org/issues/20209',
  leakyVersions: ['= 3.3.0'],
  patchedVersions: ['>= 3.3.1'],
  unaffectedVersions: [],
  trigger: 'traffic',
  appliesWhen: { condition: 'yjit', text: 'only with YJIT enabled' },
});

function ruby(version: string, engine = 'ruby'): RubyVersionSource {
  return { kind: 'lockfile', file: 'Gemfile.lock', line: 13, raw: `ruby ${version}`, engine, version, engineVersion: null, requirement: null, patchlevel: null };
}

describe('interpreter advisories against the detected Ruby', () => {
  it.each([
    ['3.2.9', HASH_DUP, false],
    ['3.3.0', HASH_DUP, true],
    ['3.3.1', HASH_DUP, false],
    ['3.2.3', TRACEPOINT, true],
    ['3.2.4', TRACEPOINT, false],
    ['3.1.6', TRACEPOINT, false],
    ['3.3.0', YJIT, true],
    ['3.3.1', YJIT, false],
  ] as const)('%s against %s', (version, advisory, affected) => {
    expect(interpreterAdvisoryFindings(ruby(version), [advisory], { yjit: true }).length).toBe(affected ? 1 : 0);
  });

  it('the fix stays on the release line when it can', () => {
    expect(minimumPatchedRuby('3.2.3', TRACEPOINT)).toBe('3.2.4');
    expect(minimumPatchedRuby('3.3.0', HASH_DUP)).toBe('3.3.1');
  });

  it('findings at the line where the version is written, severity from the trigger', () => {
    const findings = interpreterAdvisoryFindings(ruby('3.3.0'), [HASH_DUP, TRACEPOINT, YJIT], { yjit: true, yjitWhere: 'config/initializers/enable_yjit.rb:5' });
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual(['medium interpreter/ruby-20145 Gemfile.lock:13', 'high interpreter/ruby-20209 Gemfile.lock:13']);
    expect(findings[1]!.message).toBe(
      'Ruby 3.3.0 has a known memory leak (ruby-20209): YJIT retains objects with a singleton class (only with YJIT enabled: enabled at config/initializers/enable_yjit.rb:5)',
    );
    expect(findings[1]!.fix).toBe('# set Ruby 3.3.1 or later where Gemfile.lock names it, then:\nbundle update --ruby');
  });

  it('a YJIT-only leak where the deployment shows no YJIT is one level lower, and says so', () => {
    const [finding] = interpreterAdvisoryFindings(ruby('3.3.0'), [YJIT], { yjit: false });
    expect(finding).toMatchObject({ severity: 'medium' });
    expect(finding!.message).toContain('not seen in the deployment files');
  });

  it('no version, another engine, or no advisories: nothing', () => {
    expect(interpreterAdvisoryFindings(null, [HASH_DUP])).toEqual([]);
    expect(interpreterAdvisoryFindings(ruby('3.3.0', 'jruby'), [HASH_DUP])).toEqual([]);
    expect(interpreterAdvisoryFindings(ruby('3.3.0'), [])).toEqual([]);
  });
});

describe('the bundled interpreter advisories', () => {
  it('Ruby 3.3.0 is flagged for the 3.3.1 fixes, 3.3.6 for none of them; versions are read as the lockfile writes them', async () => {
    const database = await loadAdvisoryDatabase(path.join(repoRoot, 'advisories'));
    expect(database.interpreterAdvisories.length).toBeGreaterThanOrEqual(10);
    const rules = (version: string) => interpreterAdvisoryFindings(ruby(version), database.interpreterAdvisories, { yjit: true }).map((f) => f.rule);
    expect(rules('3.3.0')).toEqual(expect.arrayContaining(['interpreter/ruby-20145', 'interpreter/ruby-20149', 'interpreter/ruby-20209']));
    expect(rules('3.3.6')).not.toEqual(expect.arrayContaining(['interpreter/ruby-20145']));
    expect(rules('3.3.6')).not.toContain('interpreter/ruby-20209');
    expect(rules('3.3.0p0')).toEqual(rules('3.3.0'));
  });
});
