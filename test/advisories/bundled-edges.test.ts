import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import type { Advisory, AdvisoryDatabase } from '../../src/advisories/types.js';
import { isAffected } from '../../src/audit/match.js';
import type { EdgeRow } from './edge-row.js';
import { ROWS_A_M } from './edges-a-m.js';
import { ROWS_N_Z } from './edges-n-z.js';
import { SKIP_NO_SHARED, bundledDatabase, hasShared, publicDatabase } from '../helpers/paths.js';

type Row = EdgeRow;

/**
 * The edges of every bundled advisory, written by hand from its ranges: the last leaky version and the
 * first patched one, and where `leaky_versions` is given, the first leaky version and the last one
 * before it. `platform: ruby` advisories also get a `-java` row (never flagged) and a native row.
 */
const ROWS: readonly Row[] = [...ROWS_A_M, ...ROWS_N_Z];

const key = (gem: string, id: string): string => `${gem}/${id}`;

/** `gem/id` of every advisory file, straight from the folder (not through the loader under test). */
function advisoryFiles(): string[] {
  const gemsDir = path.join(bundledDatabase, 'gems');
  return readdirSync(gemsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((gem) =>
      readdirSync(path.join(gemsDir, gem.name))
        .filter((file) => file.endsWith('.yml'))
        .map((file) => key(gem.name, file.slice(0, -'.yml'.length))),
    )
    .sort();
}

let bundled: AdvisoryDatabase;
const byKey = new Map<string, Advisory>();

beforeAll(async () => {
  bundled = await loadAdvisoryDatabase(bundledDatabase);
  for (const advisory of bundled.advisories) byKey.set(key(advisory.gem, advisory.id), advisory);
});

describe('the bundled advisory database', () => {
  it('loads every advisory file without a single problem', () => {
    expect(bundled.problems).toEqual([]);
    expect(bundled.advisories.length).toBeGreaterThan(40);
    expect(bundled.advisories.map((a) => key(a.gem, a.id)).sort()).toEqual(advisoryFiles());
  });

  it('has a title, a description and evidence links for every advisory', () => {
    const lacking = bundled.advisories
      .filter((a) => a.title.trim() === '' || a.description.trim() === '' || a.related.length === 0)
      .map((a) => key(a.gem, a.id));
    expect(lacking).toEqual([]);
  });

  it('uses only the platform values gemleak documents', () => {
    const odd = bundled.advisories.filter((a) => a.platform !== null && a.platform !== 'ruby').map((a) => key(a.gem, a.id));
    expect(odd).toEqual([]);
  });
});

describe('the edge table', () => {
  const rowKeys = [...new Set(ROWS.map(([gem, id]) => key(gem, id)))].sort();

  it('covers every advisory file, and only those', () => {
    expect(rowKeys).toEqual(advisoryFiles());
  });

  it('has a flagged and an unflagged row for every advisory', () => {
    const oneSided = rowKeys.filter((k) => {
      const outcomes = new Set(ROWS.filter(([gem, id]) => key(gem, id) === k).map((row) => row[4]));
      return outcomes.size < 2;
    });
    expect(oneSided).toEqual([]);
  });

  it('has an unflagged -java row for every C-extension-only advisory', () => {
    const missing = bundled.advisories
      .filter((a) => a.platform === 'ruby')
      .map((a) => key(a.gem, a.id))
      .filter((k) => !ROWS.some(([gem, id, , platform, affected]) => key(gem, id) === k && platform === 'java' && !affected));
    expect(missing).toEqual([]);
  });

  it.each(ROWS)('%s %s: %s (platform %s) flagged -> %s', (gem, id, version, platform, affected) => {
    const advisory = byKey.get(key(gem, id));
    expect(advisory, `no advisory gems/${gem}/${id}.yml`).toBeDefined();
    expect(isAffected(advisory!, version, platform)).toBe(affected);
  });
});

describe('advisories/README.md', () => {
  it('lists every gem the bundled database covers', () => {
    const readme = readFileSync(path.join(bundledDatabase, 'README.md'), 'utf8');
    const gems = [...new Set(advisoryFiles().map((k) => k.split('/')[0]!))];
    expect(gems.filter((gem) => !readme.includes(`\`${gem}\``))).toEqual([]);
  });
});

/** Public advisories the bundled database leaves out on purpose (the audit in issue 12), and why. */
const WITHDRAWN = new Map([
  ['sidekiq-statistic/73', 'the growth is Redis data, not process memory'],
  ['zipruby/PRE-SA-2012-02', 'a heap overflow and information leak, not memory growth'],
]);

const PUBLIC_SOURCE = 'github.com/rubymem/ruby-mem-advisory-db';

/** True when the bundled file declares, with a reason and evidence, that it corrects the public advisory. */
function correctsPublicDatabase(file: string): boolean {
  const raw = parse(readFileSync(path.join(bundledDatabase, file), 'utf8')) as { corrects?: unknown };
  if (!Array.isArray(raw.corrects)) return false;
  return raw.corrects.some((entry: { source?: unknown; reason?: unknown; evidence?: unknown }) => {
    const source = String(entry.source ?? '').toLowerCase().replace(/^https?:\/\//, '').replace(/\.git$/, '').replace(/\/$/, '');
    return source === PUBLIC_SOURCE && typeof entry.reason === 'string' && /^https:\/\//.test(String(entry.evidence ?? ''));
  });
}

describe.skipIf(!hasShared)(`the public advisories keep their facts ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  let publicDb: AdvisoryDatabase;

  beforeAll(async () => {
    publicDb = await loadAdvisoryDatabase(publicDatabase);
  });

  it('reads the 14 public advisories', () => {
    expect(publicDb.problems).toEqual([]);
    expect(publicDb.advisories).toHaveLength(14);
  });

  it('has every public advisory under the same gem and id, with the same url, date, ranges and platform', () => {
    for (const original of publicDb.advisories) {
      const ours = byKey.get(key(original.gem, original.id));
      if (WITHDRAWN.has(key(original.gem, original.id))) {
        expect(ours, `gems/${original.gem}/${original.id}.yml was withdrawn`).toBeUndefined();
        continue;
      }
      expect(ours, `gems/${original.gem}/${original.id}.yml is missing`).toBeDefined();
      // A documented correction (`corrects:` naming the public database) may change the ranges only.
      const rangesMayDiffer = correctsPublicDatabase(ours!.file);
      const facts = (a: Advisory) => ({
        url: a.url,
        date: a.date,
        ...(rangesMayDiffer ? {} : { leaky: a.leakyVersions, patched: a.patchedVersions, unaffected: a.unaffectedVersions }),
        platform: a.platform,
        framework: a.framework,
      });
      expect(facts(ours!), original.file).toEqual(facts(original));
    }
  });

  it('rewrites every public advisory instead of copying it', () => {
    for (const original of publicDb.advisories) {
      if (WITHDRAWN.has(key(original.gem, original.id))) continue;
      const ours = byKey.get(key(original.gem, original.id))!;
      const originalText = readFileSync(path.join(publicDatabase, original.file), 'utf8');
      const ourText = readFileSync(path.join(bundledDatabase, ours.file), 'utf8');
      expect(ourText, ours.file).not.toBe(originalText);
      expect(ours.title, ours.file).not.toBe(original.title);
      expect(ours.description.trim(), ours.file).not.toBe(original.description.trim());
    }
  });
});
