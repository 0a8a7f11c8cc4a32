import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import type { Advisory, AdvisoryDatabase } from '../../src/advisories/types.js';
import { isAffected } from '../../src/audit/match.js';
import { SKIP_NO_SHARED, bundledDatabase, hasShared, publicDatabase } from '../helpers/paths.js';

/** gem, advisory id, locked version, locked platform (null: plain `gem (x.y.z)`), flagged? */
type Row = readonly [gem: string, id: string, version: string, platform: string | null, affected: boolean];

/**
 * The edges of every bundled advisory, written by hand from its ranges: the last leaky version and the
 * first patched one, and where `leaky_versions` is given, the first leaky version and the last one
 * before it. `platform: ruby` advisories also get a `-java` row (never flagged) and a native row.
 */
const ROWS: readonly Row[] = [
  // Public database, rewritten.
  ['celluloid', '670', '0.16.0', null, false],
  ['celluloid', '670', '0.16.1', null, true],
  ['celluloid', '670', '0.17.1', null, true],
  ['celluloid', '670', '0.17.2', null, false],
  ['celluloid', '670', '0.17.3', null, false],
  ['ethon', '194', '0.12.0', null, false],
  ['ethon', '194', '0.13.0', null, true],
  ['ethon', '194', '0.14.0', null, true],
  ['ethon', '194', '0.15.0', null, false],
  ['grape', '2084', '1.2.5', null, false],
  ['grape', '2084', '1.3.0', null, true],
  ['grape', '2084', '1.3.3', null, true],
  ['grape', '2084', '1.4.0', null, false],
  ['grape', '301', '0.1.0', null, true],
  ['grape', '301', '0.2.4', null, true],
  ['grape', '301', '0.2.5', null, false],
  ['grape', '301', '0.10.0', null, false],
  ['net-http-persistent', '300', '2.9.4', null, false],
  ['net-http-persistent', '300', '3.0.0', null, true],
  ['net-http-persistent', '300', '3.0.1', null, false],
  ['oj', '229', '2.12.3', null, true],
  ['oj', '229', '2.12.4', null, false],
  ['redcarpet', '516', '3.3.2', null, true],
  ['redcarpet', '516', '3.3.3', null, false],
  ['redis', '612', '3.2.1', null, false],
  ['redis', '612', '3.2.2', null, true],
  ['redis', '612', '3.2.2', 'java', true],
  ['redis', '612', '3.3.0', null, true],
  ['redis', '612', '3.3.1', null, false],
  ['rgeo', '253', '2.2.0', null, true],
  ['rgeo', '253', '2.3.0', null, false],
  ['sidekiq-pro', '4652', '5.1.1', null, true],
  ['sidekiq-pro', '4652', '5.2.0', null, false],
  ['sidekiq-statistic', '73', '1.2', null, true],
  ['sidekiq-statistic', '73', '1.2.0', null, true],
  ['sidekiq-statistic', '73', '1.2.1', null, false],
  ['sidekiq', '2598', '3.5.0', null, true],
  ['sidekiq', '2598', '3.5.1', null, false],
  ['therubyracer', '336', '0.12.1', null, true],
  ['therubyracer', '336', '0.12.2', null, false],
  ['therubyracer', '336', '0.12.3', null, false],
  ['zipruby', 'PRE-SA-2012-02', '0.3.6', null, true],
  ['zipruby', 'PRE-SA-2012-02', '0.3.7', null, false],

  // Researched for gemleak.
  ['nokogiri', '1771', '1.5.6', null, false],
  ['nokogiri', '1771', '1.5.7', null, true],
  ['nokogiri', '1771', '1.8.3', null, true],
  ['nokogiri', '1771', '1.8.3', 'x86_64-linux', true],
  ['nokogiri', '1771', '1.8.3', 'java', false],
  ['nokogiri', '1771', '1.8.4', null, false],
  ['nokogiri', '1810', '1.8.5', null, true],
  ['nokogiri', '1810', '1.8.5', 'x86_64-linux', true],
  ['nokogiri', '1810', '1.8.5', 'java', false],
  ['nokogiri', '1810', '1.9.0', null, false],
  ['google-protobuf', '8461', '3.15.2', null, false],
  ['google-protobuf', '8461', '3.15.3', null, true],
  ['google-protobuf', '8461', '3.15.7', null, true],
  ['google-protobuf', '8461', '3.15.7', 'x86_64-linux', true],
  ['google-protobuf', '8461', '3.15.7', 'java', false],
  ['google-protobuf', '8461', '3.15.8', null, false],
  ['google-protobuf', '9467', '3.14.0', null, false],
  ['google-protobuf', '9467', '3.15.0', null, true],
  ['google-protobuf', '9467', '3.19.4', null, true],
  ['google-protobuf', '9467', '3.19.4', 'arm64-darwin', true],
  ['google-protobuf', '9467', '3.19.4', 'java', false],
  ['google-protobuf', '9467', '3.20.0', null, false],
  ['mysql2', '700', '0.4.0', null, false],
  ['mysql2', '700', '0.4.1', null, true],
  ['mysql2', '700', '0.4.2', null, false],
  ['graphql', '2878', '1.10.5', null, false],
  ['graphql', '2878', '1.10.6', null, true],
  ['graphql', '2878', '1.10.7', null, false],
  ['oj', '696', '3.11.8', null, false],
  ['oj', '696', '3.12.0', null, true],
  ['oj', '696', '3.13.2', null, true],
  ['oj', '696', '3.13.3', null, false],
  ['oj', '0bc2b058', '2.18.5', null, true],
  ['oj', '0bc2b058', '3.6.9', null, true],
  ['oj', '0bc2b058', '3.6.10', null, false],
  ['json', '574', '1.8.6', null, true],
  ['json', '574', '2.7.1', null, true],
  ['json', '574', '2.7.1', 'java', false],
  ['json', '574', '2.7.2', null, false],
  ['json', '659', '2.7.2', null, true],
  ['json', '659', '2.7.4', null, true],
  ['json', '659', '2.7.4', 'x64-mingw-ucrt', true],
  ['json', '659', '2.7.4', 'java', false],
  ['json', '659', '2.7.5', null, false],
  ['grape', '1836', '1.1.0', null, false],
  ['grape', '1836', '1.2.0', null, true],
  ['grape', '1836', '1.2.1', null, true],
  ['grape', '1836', '1.2.2', null, false],
  ['grape', '2102', '1.1.0', null, false],
  ['grape', '2102', '1.2.0', null, true],
  ['grape', '2102', '1.4.0', null, true],
  ['grape', '2102', '1.5.0', null, false],
  ['grape', '1109', '0.5.0', null, true],
  ['grape', '1109', '0.13.0', null, true],
  ['grape', '1109', '0.14.0', null, false],
  ['sinatra', '846', '1.4.3', null, false],
  ['sinatra', '846', '1.4.4', null, true],
  ['sinatra', '846', '1.4.5', null, false],
  ['sinatra', '1719', '2.1.0', null, true],
  ['sinatra', '1719', '2.2.0', null, false],
  ['newrelic_rpm', '1936', '8.16.0', null, false],
  ['newrelic_rpm', '1936', '9.0.0', null, true],
  ['newrelic_rpm', '1936', '9.2.0', null, true],
  ['newrelic_rpm', '1936', '9.2.1', null, false],
  ['newrelic_rpm', '3246', '9.17.0', null, false],
  ['newrelic_rpm', '3246', '9.18.0', null, true],
  ['newrelic_rpm', '3246', '9.20.0', null, true],
  ['newrelic_rpm', '3246', '9.21.0', null, false],
  ['newrelic_rpm', '1518', '6.9.0.363', null, false],
  ['newrelic_rpm', '1518', '6.10.0.364', null, true],
  ['newrelic_rpm', '1518', '8.10.1', null, true],
  ['newrelic_rpm', '1518', '8.11.0', null, false],
  ['newrelic_rpm', '3.6.8.168', '3.6.7.159', null, false],
  ['newrelic_rpm', '3.6.8.168', '3.6.8.164', null, true],
  ['newrelic_rpm', '3.6.8.168', '3.6.8.168', null, false],
  ['eventmachine', '586', '1.0.4', null, false],
  ['eventmachine', '586', '1.0.5', null, true],
  ['eventmachine', '586', '1.0.6', null, true],
  ['eventmachine', '586', '1.0.6', 'x86-mingw32', true],
  ['eventmachine', '586', '1.0.6', 'java', false],
  ['eventmachine', '586', '1.0.7', null, false],
  ['hiredis', '22', '0.4.5', null, false],
  ['hiredis', '22', '0.5.0', null, true],
  ['hiredis', '22', '0.5.0', 'java', false],
  ['hiredis', '22', '0.5.1', null, false],
  ['puma', 'd33ae0f0', '2.0.0.b1', null, false],
  ['puma', 'd33ae0f0', '2.0.0.b2', null, true],
  ['puma', 'd33ae0f0', '2.9.0', null, true],
  ['puma', 'd33ae0f0', '2.9.0', 'java', false],
  ['puma', 'd33ae0f0', '2.9.1', null, false],
  ['passenger', 'GH-1455', '4.0.60', null, false],
  ['passenger', 'GH-1455', '5.0.0.beta1', null, true],
  ['passenger', 'GH-1455', '5.0.5', null, true],
  ['passenger', 'GH-1455', '5.0.6', null, false],
  ['passenger', 'GH-1797', '4.0.60', null, false],
  ['passenger', 'GH-1797', '5.0.0.beta1', null, true],
  ['passenger', 'GH-1797', '5.0.27', null, true],
  ['passenger', 'GH-1797', '5.0.28', null, false],
  ['rdkafka', '409', '0.11.1', null, false],
  ['rdkafka', '409', '0.12.0', null, true],
  ['rdkafka', '409', '0.15.2', null, true],
  ['rdkafka', '409', '0.16.0', null, false],
  ['prometheus_exporter', '256', '1.0.0', null, false],
  ['prometheus_exporter', '256', '1.0.1', null, true],
  ['prometheus_exporter', '256', '2.0.5', null, true],
  ['prometheus_exporter', '256', '2.0.6', null, false],
  ['prometheus_exporter', 'e2d75a5', '0.3.4', null, false],
  ['prometheus_exporter', 'e2d75a5', '0.4.0', null, true],
  ['prometheus_exporter', 'e2d75a5', '0.4.12', null, true],
  ['prometheus_exporter', 'e2d75a5', '0.4.13', null, false],
  ['libddwaf', '66', '1.14.0.0.0', null, false],
  ['libddwaf', '66', '1.15.0.0.0', null, true],
  ['libddwaf', '66', '1.18.0.0.0', null, true],
  ['libddwaf', '66', '1.18.0.0.0', 'x86_64-linux', true],
  ['libddwaf', '66', '1.18.0.0.1', null, false],
  ['mini_racer', '124', '0.1.12', null, false],
  ['mini_racer', '124', '0.1.13', null, true],
  ['mini_racer', '124', '0.2.4', null, true],
  ['mini_racer', '124', '0.2.4', 'java', false],
  ['mini_racer', '124', '0.2.5', null, false],
  ['msgpack', '371', '1.4.5', null, false],
  ['msgpack', '371', '1.5.0', null, true],
  ['msgpack', '371', '1.7.3', null, true],
  ['msgpack', '371', '1.7.3', 'java', false],
  ['msgpack', '371', '1.7.4', null, false],
  ['nio4r', '164', '1.2.1', null, false],
  ['nio4r', '164', '2.0.0', null, true],
  ['nio4r', '164', '2.1.0', null, true],
  ['nio4r', '164', '2.1.0', 'java', false],
  ['nio4r', '164', '2.2.0', null, false],
  ['ruby-vips', '126', '1.0.6', null, false],
  ['ruby-vips', '126', '2.0.0', null, true],
  ['ruby-vips', '126', '2.0.1', null, true],
  ['ruby-vips', '126', '2.0.2', null, false],
  ['ruby-vips', '16279c3', '1.0.6', null, false],
  ['ruby-vips', '16279c3', '2.0.0', null, true],
  ['ruby-vips', '16279c3', '2.0.12', null, true],
  ['ruby-vips', '16279c3', '2.0.13', null, false],
  ['appsignal', '9064e2cc', '2.9.0', null, true],
  ['appsignal', '9064e2cc', '2.9.1', null, false],
];

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
  it('loads all 48 advisories without a single problem', () => {
    expect(bundled.problems).toEqual([]);
    expect(bundled.advisories).toHaveLength(48);
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
      expect(ours, `gems/${original.gem}/${original.id}.yml is missing`).toBeDefined();
      const facts = (a: Advisory) => ({
        url: a.url,
        date: a.date,
        leaky: a.leakyVersions,
        patched: a.patchedVersions,
        unaffected: a.unaffectedVersions,
        platform: a.platform,
        framework: a.framework,
      });
      expect(facts(ours!), original.file).toEqual(facts(original));
    }
  });

  it('rewrites every public advisory instead of copying it', () => {
    for (const original of publicDb.advisories) {
      const ours = byKey.get(key(original.gem, original.id))!;
      const originalText = readFileSync(path.join(publicDatabase, original.file), 'utf8');
      const ourText = readFileSync(path.join(bundledDatabase, ours.file), 'utf8');
      expect(ourText, ours.file).not.toBe(originalText);
      expect(ours.title, ours.file).not.toBe(original.title);
      expect(ours.description.trim(), ours.file).not.toBe(original.description.trim());
    }
  });
});
