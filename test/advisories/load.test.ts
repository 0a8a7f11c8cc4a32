import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import { mergeAdvisories } from '../../src/advisories/merge.js';
import { GemleakError } from '../../src/errors.js';

function advisoryYaml(gem: string, fields: Record<string, string> = {}): string {
  const merged = {
    gem,
    url: `https://example.com/${gem}`,
    title: `${gem} leaks`,
    date: '2020-01-02',
    description: 'Grows.',
    patched_versions: '[">= 2.0"]',
    ...fields,
  };
  return `---\n${Object.entries(merged)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;
}

let root: string;

function write(relative: string, text: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gemleak-db-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('loadAdvisoryDatabase', () => {
  it('loads every advisory, sorted by gem and id, and lists every key', async () => {
    write('gems/zeta/1.yml', advisoryYaml('zeta'));
    write('gems/alpha/2.yml', advisoryYaml('alpha'));
    write('gems/alpha/10.yml', advisoryYaml('alpha'));
    write('gems/alpha/README.md', 'not an advisory');
    const db = await loadAdvisoryDatabase(root);
    expect(db.advisories.map((a) => `${a.gem}/${a.id}`)).toEqual(['alpha/10', 'alpha/2', 'zeta/1']);
    expect(db.keys.sort()).toEqual(['alpha-10', 'alpha-2', 'zeta-1']);
    expect(db.problems).toEqual([]);
  });

  it('parses only the gems asked for but still counts them all', async () => {
    write('gems/alpha/1.yml', advisoryYaml('alpha'));
    write('gems/beta/1.yml', 'gem: [broken');
    const db = await loadAdvisoryDatabase(root, { gems: new Set(['alpha']) });
    expect(db.advisories.map((a) => a.gem)).toEqual(['alpha']);
    expect(db.problems).toEqual([]);
    expect(db.keys).toHaveLength(2);
  });

  it('reports a broken advisory with its file and line, and keeps the others', async () => {
    write('gems/alpha/1.yml', advisoryYaml('alpha'));
    write('gems/beta/7.yml', advisoryYaml('beta', { patched_versions: '["~> nope"]' }));
    const db = await loadAdvisoryDatabase(root);
    expect(db.advisories.map((a) => a.gem)).toEqual(['alpha']);
    expect(db.problems).toEqual([{ file: 'gems/beta/7.yml', line: 7, message: expect.stringContaining('not a RubyGems requirement') }]);
  });

  it('fails on the first broken advisory under strict', async () => {
    write('gems/beta/7.yml', advisoryYaml('beta', { date: 'yesterday' }));
    await expect(loadAdvisoryDatabase(root, { strict: true })).rejects.toMatchObject({
      code: 'ADVISORY_INVALID',
      file: path.join(root, 'gems/beta/7.yml'),
      line: 5,
    });
  });

  it('never follows symbolic links, to files or folders', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'gemleak-outside-'));
    try {
      writeFileSync(path.join(outside, 'x.yml'), advisoryYaml('alpha'));
      mkdirSync(path.join(outside, 'gemdir'));
      writeFileSync(path.join(outside, 'gemdir', '1.yml'), advisoryYaml('gamma'));
      mkdirSync(path.join(root, 'gems', 'alpha'), { recursive: true });
      symlinkSync(path.join(outside, 'x.yml'), path.join(root, 'gems', 'alpha', '1.yml'));
      symlinkSync(path.join(outside, 'gemdir'), path.join(root, 'gems', 'gamma'));
      const db = await loadAdvisoryDatabase(root);
      expect(db.advisories).toEqual([]);
      expect(db.problems.map((p) => p.file).sort()).toEqual(['gems/alpha/1.yml', 'gems/gamma']);
      expect(db.problems.every((p) => p.message.includes('symbolic links'))).toBe(true);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('skips oversized files and unsafe names', async () => {
    write('gems/alpha/1.yml', `${advisoryYaml('alpha')}# ${'x'.repeat(300 * 1024)}\n`);
    write('gems/alpha/.hidden.yml', advisoryYaml('alpha'));
    const db = await loadAdvisoryDatabase(root);
    expect(db.advisories).toEqual([]);
    expect(db.problems.map((p) => p.message)).toEqual([expect.stringContaining('not a valid advisory file name'), expect.stringContaining('larger than')]);
  });

  it('refuses a folder that is not a database', async () => {
    const error = await loadAdvisoryDatabase(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GemleakError);
    expect((error as GemleakError).code).toBe('DB_INVALID');
    expect((error as GemleakError).message).toContain('no gems/ folder');
  });
});

describe('mergeAdvisories', () => {
  it('counts an advisory present in two databases once; a copy that only rewords it keeps the earlier text', async () => {
    write('a/gems/redis/612.yml', advisoryYaml('redis', { title: 'old title' }));
    write('a/gems/oj/1.yml', advisoryYaml('oj'));
    write('b/gems/redis/612.yml', advisoryYaml('redis', { title: 'new title' }));
    const first = await loadAdvisoryDatabase(path.join(root, 'a'));
    const second = await loadAdvisoryDatabase(path.join(root, 'b'));
    const merged = mergeAdvisories([first, second]);
    expect(merged.total).toBe(2);
    expect(merged.advisories.map((a) => `${a.gem}:${a.title}`).sort()).toEqual(['oj:oj leaks', 'redis:old title']);
  });
});
