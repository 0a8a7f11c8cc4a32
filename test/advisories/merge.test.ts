import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import { type MergedAdvisory, correctionSourceKey, mergeDatabases } from '../../src/advisories/merge.js';
import type { DatabaseSummary, LoadedDatabase } from '../../src/advisories/types.js';
import { flaggedBy, isAffected } from '../../src/audit/match.js';
import { advisoryFile, tempDir, writeTree } from '../helpers/fixtures.js';

/**
 * Merging real database folders: bundled first, then a synced copy (and a team folder). The rules
 * (src/advisories/merge.ts): a version is flagged when any copy flags it, except where a bundled
 * advisory's `corrects:` names the synced source; the bundled text stays when the other copy only
 * rewords it.
 */
const PUBLIC_URL = 'https://github.com/rubymem/ruby-mem-advisory-db.git';

let root: string;
beforeEach(() => {
  root = tempDir('gemleak-merge-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function summary(kind: DatabaseSummary['kind'], folder: string, extra: Partial<DatabaseSummary> = {}): DatabaseSummary {
  return { kind, path: path.join(root, folder), advisories: 0, url: null, commit: null, commitDate: null, syncedAt: null, ...extra };
}

async function load(folder: string, kind: DatabaseSummary['kind'], files: Record<string, string>, extra: Partial<DatabaseSummary> = {}): Promise<LoadedDatabase> {
  writeTree(path.join(root, folder), files);
  return { summary: summary(kind, folder, extra), database: await loadAdvisoryDatabase(path.join(root, folder)) };
}

/** redis 612 as gemleak's database has it: only 3.3.0 leaks (the per-write Timeout came in 3.3.0). */
function bundledRedis(corrects = ''): string {
  return `${advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'], title: 'Bundled title' })}trigger: traffic\n${corrects}`;
}

const correction = (source: string) =>
  `corrects:\n  - source: ${source}\n    reason: "3.2.2 is flagged there but the per-write Timeout came in 3.3.0"\n    evidence: https://github.com/redis/redis-rb/issues/612\n`;

function redisOf(merged: { advisories: MergedAdvisory[] }): MergedAdvisory {
  const found = merged.advisories.find((a) => a.gem === 'redis' && a.id === '612');
  if (!found) throw new Error('redis-612 not merged');
  return found;
}

describe('mergeDatabases: a synced copy can never narrow the bundled database', () => {
  it('a synced range that matches nothing leaves the bundled range flagging', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis() });
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['< 0.0.1'], patched: ['>= 0.0.1'], title: 'Synced title' }) }, { url: PUBLIC_URL });
    const merged = mergeDatabases([bundled, synced]);
    const redis = redisOf(merged);
    expect(isAffected(redis, '3.3.0', null)).toBe(true);
    expect(flaggedBy(redis, '3.3.0', null).map((s) => s.label)).toEqual(['bundled']);
    expect(redis.sources.map((s) => s.label)).toEqual(['bundled', PUBLIC_URL]);
    expect(merged.corrections).toEqual([]);
    expect(merged.total).toBe(1);
  });

  it('a wider synced range flags more, and says which source flags what', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis() });
    const synced = await load(
      'synced',
      'synced',
      { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.2.2', '= 3.3.0'], patched: ['>= 3.3.1'], title: 'Synced title' }) },
      { url: PUBLIC_URL },
    );
    const redis = redisOf(mergeDatabases([bundled, synced]));
    expect(flaggedBy(redis, '3.2.2', null).map((s) => s.label)).toEqual([PUBLIC_URL]);
    expect(flaggedBy(redis, '3.3.0', null).map((s) => s.label)).toEqual(['bundled', PUBLIC_URL]);
    expect(isAffected(redis, '3.2.1', null)).toBe(false);
    expect(isAffected(redis, '3.3.1', null)).toBe(false);
    // Its facts differ, so its text is the one shown, and the result says where it came from.
    expect(redis.title).toBe('Synced title');
    expect(redis.textSource).toEqual({ label: PUBLIC_URL, kind: 'synced', url: PUBLIC_URL });
  });

  it('a synced copy that only rewords the advisory leaves the bundled text', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis() });
    // Same ranges, written with other spacing and order of constraints.
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['=3.3.0'], patched: ['>=3.3.1'], title: 'Synced wording' }) }, { url: PUBLIC_URL });
    const redis = redisOf(mergeDatabases([bundled, synced]));
    expect(redis.title).toBe('Bundled title');
    expect(redis.textSource.label).toBe('bundled');
    expect(redis.trigger).toBe('traffic');
    expect(redis.copies).toHaveLength(2);
  });

  it('a synced copy cannot use corrects: to narrow the bundled range', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis() });
    const synced = await load(
      'synced',
      'synced',
      { 'gems/redis/612.yml': `${advisoryFile('redis', { patched: ['>= 9'] }).replace('patched_versions:\n  - ">= 9"\n', 'unaffected_versions:\n  - "< 9"\n')}${correction('bundled')}` },
      { url: PUBLIC_URL },
    );
    const redis = redisOf(mergeDatabases([bundled, synced]));
    expect(isAffected(redis, '3.3.0', null)).toBe(true);
    expect(redis.corrections).toEqual([]);
  });
});

describe('mergeDatabases: a bundled correction narrows the source it names', () => {
  it.each([
    ['the URL as written in the spec', 'https://github.com/rubymem/ruby-mem-advisory-db'],
    ['another spelling (host case, .git, trailing slash)', 'https://GitHub.com/rubymem/ruby-mem-advisory-db.git/'],
    ['the ssh form', 'git@github.com:rubymem/ruby-mem-advisory-db.git'],
  ])('the bundled range wins over the named source (%s), and the correction is recorded', async (_name, written) => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis(correction(written)) });
    const synced = await load(
      'synced',
      'synced',
      { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.2.2', '= 3.3.0'], patched: ['>= 3.3.1'], title: 'Synced title' }) },
      { url: PUBLIC_URL },
    );
    const merged = mergeDatabases([bundled, synced]);
    const redis = redisOf(merged);
    expect(isAffected(redis, '3.2.2', null)).toBe(false);
    expect(isAffected(redis, '3.3.0', null)).toBe(true);
    expect(flaggedBy(redis, '3.3.0', null).map((s) => s.label)).toEqual(['bundled']);
    expect(redis.title).toBe('Bundled title');
    expect(redis.sources.map((s) => s.label)).toEqual(['bundled', PUBLIC_URL]);
    const expected = {
      key: 'redis-612',
      file: 'gems/redis/612.yml',
      source: written,
      corrected: { label: PUBLIC_URL, kind: 'synced', url: PUBLIC_URL },
      reason: '3.2.2 is flagged there but the per-write Timeout came in 3.3.0',
      evidence: 'https://github.com/redis/redis-rb/issues/612',
      replaced: { leakyVersions: ['= 3.2.2', '= 3.3.0'], patchedVersions: ['>= 3.3.1'], unaffectedVersions: [] },
    };
    expect(redis.corrections).toEqual([expected]);
    expect(merged.corrections).toEqual([expected]);
  });

  it('narrows only the named source: another source still widens, and an agreeing copy is no correction', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis(correction('https://github.com/rubymem/ruby-mem-advisory-db')) });
    const wide = advisoryFile('redis', { leaky: ['= 3.2.2', '= 3.3.0'], patched: ['>= 3.3.1'] });
    const other = await load('other', 'synced', { 'gems/redis/612.yml': wide }, { url: 'https://git.example.com/acme/leaks.git', name: 'acme' });
    const redis = redisOf(mergeDatabases([bundled, other]));
    expect(isAffected(redis, '3.2.2', null)).toBe(true);
    expect(redis.corrections).toEqual([]);

    const agreeing = await load('agreeing', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'] }) }, { url: PUBLIC_URL });
    const merged = mergeDatabases([bundled, agreeing]);
    expect(merged.corrections).toEqual([]);
    expect(redisOf(merged).copies).toHaveLength(2);
  });

  it('a correction in a database that is not the bundled one narrows nothing', async () => {
    const local = await load('local', 'local', { 'gems/redis/612.yml': bundledRedis(correction(PUBLIC_URL)) });
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.2.2', '= 3.3.0'], patched: ['>= 3.3.1'] }) }, { url: PUBLIC_URL });
    const redis = redisOf(mergeDatabases([local, synced]));
    expect(isAffected(redis, '3.2.2', null)).toBe(true);
    expect(redis.corrections).toEqual([]);
  });
});

describe('mergeDatabases: a withdrawn advisory', () => {
  const withdrawnRedis = (corrects: string) => `${advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'], title: 'Withdrawn' })}withdrawn: "Redis memory, not process memory"\n${corrects}`;

  it('flags nothing, and a bundled one withdraws the copy of the source it corrects', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': withdrawnRedis(correction(PUBLIC_URL)) });
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'] }) }, { url: PUBLIC_URL });
    const merged = mergeDatabases([bundled, synced]);
    const redis = redisOf(merged);
    expect(isAffected(redis, '3.3.0', null)).toBe(false);
    expect(redis.title).toBe('Withdrawn');
    expect(merged.corrections.map((c) => c.corrected.label)).toEqual([PUBLIC_URL]);
    expect(isAffected(redisOf(mergeDatabases([bundled])), '3.3.0', null)).toBe(false);
  });

  it('withdraws only its own copy when it corrects nobody', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': withdrawnRedis('') });
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'], title: 'Synced' }) }, { url: PUBLIC_URL });
    const redis = redisOf(mergeDatabases([bundled, synced]));
    expect(flaggedBy(redis, '3.3.0', null).map((s) => s.label)).toEqual([PUBLIC_URL]);
    expect(redis.title).toBe('Synced');
  });
});

describe('mergeDatabases: advisories are keyed by gem and id', () => {
  it('gems/sidekiq/pro-4652.yml and gems/sidekiq-pro/4652.yml stay two advisories; their shared ignore key is reported', async () => {
    const bundled = await load('bundled', 'bundled', {
      'gems/sidekiq/pro-4652.yml': advisoryFile('sidekiq', { leaky: ['< 7'] }),
      'gems/sidekiq-pro/4652.yml': advisoryFile('sidekiq-pro', { leaky: ['< 5'] }),
    });
    const merged = mergeDatabases([bundled]);
    expect(merged.advisories.map((a) => `${a.gem}/${a.id}`)).toEqual(['sidekiq/pro-4652', 'sidekiq-pro/4652']);
    expect(merged.total).toBe(2);
    expect(merged.ambiguousKeys).toEqual([{ key: 'sidekiq-pro-4652', files: ['gems/sidekiq-pro/4652.yml', 'gems/sidekiq/pro-4652.yml'] }]);
  });

  it('counts the advisories usable in some database, by file; a broken one does not count', async () => {
    const bundled = await load('bundled', 'bundled', { 'gems/redis/612.yml': bundledRedis(), 'gems/oj/1.yml': advisoryFile('oj', { leaky: ['< 1'] }) });
    // Broken in the synced copy but fine in the bundled one: still counts, once.
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': 'gem: [broken', 'gems/ox/1.yml': 'gem: [broken' }, { url: PUBLIC_URL });
    const merged = mergeDatabases([bundled, synced]);
    expect(merged.total).toBe(2);
    expect(merged.advisories.map((a) => a.gem)).toEqual(['oj', 'redis']);
    expect(synced.database.broken?.sort()).toEqual(['gems/ox/1.yml', 'gems/redis/612.yml']);
  });

  it('knows broken files of gems not asked for when read from an index', async () => {
    const synced = await load('synced', 'synced', { 'gems/redis/612.yml': bundledRedis(), 'gems/ox/1.yml': 'gem: [broken' });
    const { serializeAdvisoryIndex, decodeAdvisoryIndex } = await import('../../src/advisories/index-file.js');
    const index = decodeAdvisoryIndex(serializeAdvisoryIndex(synced.database), synced.database.root, new Set(['redis']), null);
    expect(index?.problems).toEqual([]);
    expect(index?.broken).toEqual(['gems/ox/1.yml']);
    expect(mergeDatabases([{ summary: synced.summary, database: index! }]).total).toBe(1);
  });
});

describe('correctionSourceKey', () => {
  it.each([
    ['https://github.com/rubymem/ruby-mem-advisory-db', 'github.com/rubymem/ruby-mem-advisory-db'],
    ['https://GITHUB.com/rubymem/ruby-mem-advisory-db.git', 'github.com/rubymem/ruby-mem-advisory-db'],
    ['https://***@github.com/rubymem/ruby-mem-advisory-db/', 'github.com/rubymem/ruby-mem-advisory-db'],
    ['ssh://git@github.com/rubymem/ruby-mem-advisory-db.git', 'github.com/rubymem/ruby-mem-advisory-db'],
    ['git@github.com:rubymem/ruby-mem-advisory-db.git', 'github.com/rubymem/ruby-mem-advisory-db'],
    ['/srv/leaks.git', '/srv/leaks'],
  ])('%s -> %s', (url, key) => {
    expect(correctionSourceKey(url)).toBe(key);
  });
});
