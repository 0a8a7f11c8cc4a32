import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import { mergeDatabases } from '../../src/advisories/merge.js';
import { parseInterpreterAdvisory } from '../../src/advisories/schema.js';
import { readAdvisoryIndex, serializeAdvisoryIndex } from '../../src/advisories/index-file.js';
import { type AdvisoryDatabase, ignoreKey, severityOf } from '../../src/advisories/types.js';
import { auditInterpreter, parseRubyVersion } from '../../src/audit/interpreter.js';
import { GemleakError } from '../../src/errors.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/paths.js';

/** A small database with two invented interpreter advisories and one gem advisory. */
const fixture = path.join(repoRoot, 'test/fixtures/advisory-db');

let database: AdvisoryDatabase;
beforeAll(async () => {
  database = await loadAdvisoryDatabase(fixture);
});

let scratch: string | null = null;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
});

function copyOfFixture(): string {
  scratch = tempDir('gemleak-rubies-');
  cpSync(fixture, scratch, { recursive: true });
  return scratch;
}

describe('interpreter advisories in the loader', () => {
  it('loads rubies/<engine>/<id>.yml beside gems/, with every field', () => {
    expect(database.problems).toEqual([]);
    expect(database.files).toEqual(['gems/fixture-gem/1.yml', 'rubies/ruby/90001.yml', 'rubies/ruby/90002.yml']);
    expect(database.keys).toEqual(['fixture-gem-1', 'ruby-90001', 'ruby-90002']);
    const [yjit] = database.interpreterAdvisories;
    expect(yjit).toMatchObject({
      id: '90001',
      engine: 'ruby',
      leakyVersions: ['>= 3.3.0, < 3.3.1'],
      patchedVersions: ['~> 3.2.4', '>= 3.3.1'],
      unaffectedVersions: ['< 3.3.0'],
      appliesWhen: { condition: 'yjit', text: 'only with YJIT enabled (--yjit or RUBY_YJIT_ENABLE=1)' },
      trigger: 'traffic',
      evidence: { fix: 'https://example.com/ruby/commit/90001', fixedIn: '3.3.1', introducedIn: '3.3.0' },
      related: ['https://example.com/ruby/pull/90001'],
      file: 'rubies/ruby/90001.yml',
    });
    expect(ignoreKey(yjit!)).toBe('ruby-90001');
    expect(severityOf(database.interpreterAdvisories[1]!)).toBe('low');
  });

  it('reads them even when only some gems are asked for, unless told not to', async () => {
    const some = await loadAdvisoryDatabase(fixture, { gems: new Set() });
    expect(some.advisories).toEqual([]);
    expect(some.interpreterAdvisories).toHaveLength(2);
    const none = await loadAdvisoryDatabase(fixture, { gems: new Set(), interpreters: false });
    expect(none.interpreterAdvisories).toEqual([]);
    expect(none.files).toHaveLength(3);
  });

  it('a database without rubies/ is fine', async () => {
    const root = copyOfFixture();
    rmSync(path.join(root, 'rubies'), { recursive: true });
    const db = await loadAdvisoryDatabase(root);
    expect(db.interpreterAdvisories).toEqual([]);
    expect(db.problems).toEqual([]);
  });

  it('obeys the hostile-input rules of gems/: no links (rubies/, engine folders, files), regular files only, size cap', async () => {
    const root = copyOfFixture();
    const outside = tempDir('gemleak-outside-');
    try {
      writeTree(outside, { 'engine/1.yml': 'engine: jruby\n', 'x.yml': 'engine: ruby\n' });
      symlinkSync(path.join(outside, 'engine'), path.join(root, 'rubies', 'jruby'));
      symlinkSync(path.join(outside, 'x.yml'), path.join(root, 'rubies', 'ruby', '90003.yml'));
      mkdirSync(path.join(root, 'rubies', 'ruby', '90004.yml'));
      writeFileSync(path.join(root, 'rubies', 'ruby', '90005.yml'), `engine: ruby\n# ${'x'.repeat(300 * 1024)}\n`);
      const db = await loadAdvisoryDatabase(root);
      expect(db.interpreterAdvisories.map((a) => a.id)).toEqual(['90001', '90002']);
      expect(db.problems.map((p) => `${p.file}: ${p.message}`).sort()).toEqual([
        'rubies/jruby: symbolic links are not followed in an advisory database',
        'rubies/ruby/90003.yml: symbolic links are not followed in an advisory database',
        'rubies/ruby/90004.yml: not a regular file',
        'rubies/ruby/90005.yml: larger than 256 KiB, not an advisory',
      ]);

      rmSync(path.join(root, 'rubies'), { recursive: true });
      symlinkSync(path.join(outside, 'engine'), path.join(root, 'rubies'));
      const linked = await loadAdvisoryDatabase(root);
      expect(linked.interpreterAdvisories).toEqual([]);
      expect(linked.problems).toEqual([{ file: 'rubies', message: 'symbolic links are not followed in an advisory database' }]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('never blocks on a FIFO in rubies/', async () => {
    const root = copyOfFixture();
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'rubies', 'ruby', '90006.yml')]);
    const db = await loadAdvisoryDatabase(root);
    expect(db.problems).toEqual([{ file: 'rubies/ruby/90006.yml', message: 'not a regular file' }]);
  });

  it('reports a broken interpreter advisory and keeps the others; --strict stops', async () => {
    const root = copyOfFixture();
    writeTree(root, { 'rubies/ruby/90007.yml': 'engine: jruby\ntitle: t\nurl: https://example.com\ndate: 2024-01-01\n' });
    const db = await loadAdvisoryDatabase(root);
    expect(db.interpreterAdvisories).toHaveLength(2);
    expect(db.problems).toEqual([{ file: 'rubies/ruby/90007.yml', line: 1, message: "engine 'jruby' does not match its folder rubies/ruby/" }]);
    await expect(loadAdvisoryDatabase(root, { strict: true })).rejects.toMatchObject({ code: 'ADVISORY_INVALID', line: 1 });
  });

  it('are carried by the advisory index, whatever gems are asked for', async () => {
    const root = copyOfFixture();
    const file = path.join(root, 'index.json');
    writeFileSync(file, serializeAdvisoryIndex(database));
    const index = await readAdvisoryIndex(file, fixture, new Set());
    expect(index?.interpreterAdvisories).toEqual(database.interpreterAdvisories);
    expect(index?.advisories).toEqual([]);
    expect(index?.files).toEqual(database.files);
    expect(index?.keys).toEqual(database.keys);
  });
});

describe('parseInterpreterAdvisory', () => {
  const location = { file: 'rubies/ruby/1.yml', engineFolder: 'ruby', id: '1' };
  const base = 'engine: ruby\ntitle: t\nurl: https://example.com/1\ndate: 2024-01-01\npatched_versions: [">= 3.3.1"]\n';

  it.each([
    ['applies_when not a mapping', `${base}applies_when: yjit\n`, "'applies_when' must be a mapping", 6],
    ['applies_when without text', `${base}applies_when:\n  condition: yjit\n`, "missing required field 'applies_when.text'", 7],
    ['a condition that is not a key', `${base}applies_when:\n  condition: YJIT on\n  text: only with YJIT\n`, 'must be a lower-case key', 7],
    ['an unknown trigger', `${base}trigger: always\n`, "unknown trigger 'always' (known: traffic, feature, rare)", 6],
    ['a gem field instead of engine', base.replace('engine: ruby', 'gem: ruby'), "missing required field 'engine'", undefined],
  ])('rejects %s', (_name, text, message, line) => {
    let error: unknown;
    try {
      parseInterpreterAdvisory(text, location);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GemleakError);
    expect((error as GemleakError).message).toContain(message);
    expect((error as GemleakError).line).toBe(line);
  });
});

describe('parseRubyVersion', () => {
  it.each([
    ['3.3.0', '3.3.0'],
    ['3.3.0p0', '3.3.0'],
    ['2.7.8p225', '2.7.8'],
    [' 3.2.4 ', '3.2.4'],
    ['3.4.0-preview1', '3.4.0.preview1'],
    ['3.4.0.rc1', '3.4.0.rc1'],
    ['3.3', null],
    ['ruby-3.3.0', null],
    ['latest', null],
    ['', null],
  ])('%j -> %j', (text, expected) => {
    expect(parseRubyVersion(text)?.toString() ?? null).toBe(expected);
  });
});

describe('auditInterpreter', () => {
  const ids = (engine: string, version: string) => auditInterpreter(engine, version, database.interpreterAdvisories).map((finding) => finding.advisory.id);

  it.each([
    ['3.2.3', ['90002']],
    ['3.2.4', ['90002']],
    ['3.2.5', []],
    ['3.3.0', ['90001', '90002']],
    ['3.3.0p0', ['90001', '90002']],
    ['3.3.1', ['90002']],
    ['3.3.2', []],
    ['3.4.0.preview1', []],
  ])('ruby %s is flagged by %j', (version, expected) => {
    expect(ids('ruby', version)).toEqual(expected);
  });

  it('returns the condition the leak needs, and only for the engine asked for', () => {
    const [yjit, always] = auditInterpreter('ruby', '3.3.0', database.interpreterAdvisories);
    expect(yjit?.appliesWhen).toEqual({ condition: 'yjit', text: 'only with YJIT enabled (--yjit or RUBY_YJIT_ENABLE=1)' });
    expect(always?.appliesWhen).toBeNull();
    expect(yjit).toMatchObject({ engine: 'ruby', version: '3.3.0', sources: [] });
    expect(ids('jruby', '3.3.0')).toEqual([]);
  });

  it('refuses a version that is not exact', () => {
    expect(() => auditInterpreter('ruby', '3.3', database.interpreterAdvisories)).toThrow(/not an exact Ruby version/);
  });

  it('matches merged advisories with the union of their copies, naming the sources that flag', async () => {
    const root = copyOfFixture();
    // The synced copy says 3.3.1 is leaky too: it widens the bundled range.
    writeTree(root, { 'rubies/ruby/90001.yml': `engine: ruby\ntitle: t\nurl: https://example.com/1\ndate: 2024-01-01\nleaky_versions: [">= 3.3.0, < 3.3.2"]\n` });
    const synced = await loadAdvisoryDatabase(root);
    const merged = mergeDatabases([
      { summary: { kind: 'bundled', path: fixture, advisories: 3, url: null, commit: null, commitDate: null, syncedAt: null }, database },
      { summary: { kind: 'synced', path: root, advisories: 3, url: 'https://example.com/db.git', commit: null, commitDate: null, syncedAt: null }, database: synced },
    ]);
    const at = (version: string) => auditInterpreter('ruby', version, merged.interpreterAdvisories).filter((f) => f.advisory.id === '90001');
    expect(at('3.3.0')[0]?.sources.map((s) => s.label)).toEqual(['bundled', 'https://example.com/db.git']);
    expect(at('3.3.1')[0]?.sources.map((s) => s.label)).toEqual(['https://example.com/db.git']);
    expect(at('3.3.2')).toEqual([]);
  });
});
