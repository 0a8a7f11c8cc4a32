import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLockfile, readLockfile } from '../../src/lockfile/index.js';
import type { Lockfile, SpecSource } from '../../src/lockfile/index.js';
import { SKIP_NO_SHARED, hasShared, sharedRoot } from '../helpers/paths.js';
import { skippedWithoutCorpus } from '../helpers/skip.js';

/** What SOURCES.md says about one lockfile of the corpus. */
interface Listed {
  file: string;
  /** Spec lines: one per `name (version[-platform])`, so a gem built for 3 platforms counts 3 times. */
  specLines: number;
  distinctNames: number;
  bytes: number;
  features: string[];
}

const corpus = path.join(sharedRoot, 'lockfiles');

/**
 * Each `### <file>` heading is followed by a `- gems: N spec lines (M distinct names), B bytes` line and a
 * `- features: a; b; c` line.
 */
function readSourcesTable(): Listed[] {
  const text = readFileSync(path.join(corpus, 'SOURCES.md'), 'utf8');
  return text
    .split(/^### /m)
    .slice(1)
    .map((block) => {
      const file = block.slice(0, block.indexOf('\n')).trim();
      const gems = /^- gems: (\d+) spec lines \((\d+) distinct names\), (\d+) bytes$/m.exec(block);
      const features = /^- features: (.*)$/m.exec(block);
      if (!gems || !features) throw new Error(`SOURCES.md: no gems or features line under ${file}`);
      return { file, specLines: Number(gems[1]), distinctNames: Number(gems[2]), bytes: Number(gems[3]), features: (features[1] ?? '').split('; ') };
    });
}

/** SOURCES.md explains one fact in passing: "no BUNDLED WITH (Bundler < 1.10)". */
function withoutExplanation(feature: string): string {
  return feature.replace(/ \(Bundler < [\d.]+\)$/, '');
}

/** The facts a features list states, computed from a parsed lockfile and worded the same way. */
function featuresOf(lockfile: Lockfile): string[] {
  const sources = new Set(lockfile.specs.map((spec) => spec.source));
  const count = (type: SpecSource['type']) => [...sources].filter((source) => source.type === type).length;
  const remotes = new Set([...sources].flatMap((source) => (source.type === 'gem' ? source.remotes : source.type === 'git' ? [source.remote] : [])));
  const platformSpecific = lockfile.specs.filter((spec) => spec.platform !== null).length;
  return [
    ...(['git', 'path', 'gem'] as const).filter((type) => count(type) > 0).map((type) => `${count(type)}x ${type.toUpperCase()}`),
    ...(Object.keys(lockfile.checksums).length > 0 ? ['CHECKSUMS'] : []),
    ...(platformSpecific > 0 ? [`${platformSpecific} platform-specific specs`] : []),
    `PLATFORMS: ${lockfile.platforms.join(' ')}`,
    ...(lockfile.rubyVersion === null ? [] : [`RUBY VERSION ${lockfile.rubyVersion}`]),
    lockfile.bundledWith === null ? 'no BUNDLED WITH' : `BUNDLED WITH ${lockfile.bundledWith}`,
    `distinct remote URLs: ${remotes.size}`,
  ];
}

describe.skipIf(!hasShared)(`real lockfiles in ../shared/lockfiles${hasShared ? '' : ` ${SKIP_NO_SHARED}`}`, () => {
  const listed = hasShared ? readSourcesTable() : [];

  it('SOURCES.md lists every lockfile in the folder, and only those', () => {
    const files = readdirSync(corpus).filter((name) => name.endsWith('.lock'));
    expect(listed.map((entry) => entry.file).sort()).toEqual(files.sort());
    expect(files.length).toBeGreaterThan(0);
  });

  skippedWithoutCorpus('each lockfile SOURCES.md lists parses with the spec and name counts it gives');
  it.each(listed.map((entry) => [entry.file, entry] as const))('%s parses with the spec and name counts SOURCES.md lists', async (file, entry) => {
    const lockfile = await readLockfile(path.join(corpus, file));
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.specs).toHaveLength(entry.specLines);
    expect(new Set(lockfile.specs.map((spec) => spec.name)).size).toBe(entry.distinctNames);
    expect(featuresOf(lockfile).sort()).toEqual(entry.features.map(withoutExplanation).sort());
    expect(lockfile.specs.every((spec) => spec.line > 0 && spec.version !== '')).toBe(true);
  });

  it('parses the largest lockfile (~700 gems) in a few milliseconds', async () => {
    const largest = [...listed].sort((a, b) => b.bytes - a.bytes)[0];
    expect(largest).toBeDefined();
    const file = path.join(corpus, largest?.file ?? '');
    const lockfile = await readLockfile(file);
    expect(lockfile.specs.length).toBeGreaterThan(500);
    const text = readFileSync(file, 'utf8');
    const times = Array.from({ length: 15 }, () => {
      const start = performance.now();
      parseLockfile(text, file);
      return performance.now() - start;
    });
    expect(Math.min(...times)).toBeLessThan(10);
  });
});
