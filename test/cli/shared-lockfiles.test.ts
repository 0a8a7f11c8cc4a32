import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SKIP_NO_SHARED, bundledDatabase, hasShared, publicDatabase, sharedRoot } from '../helpers/paths.js';
import { skippedWithoutCorpus } from '../helpers/skip.js';

interface Expectation {
  file: string;
  findings: string[];
}

/** SOURCES.md lists, per lockfile, the findings a precise matcher must report against the public database. */
function expectations(): Expectation[] {
  const text = readFileSync(path.join(sharedRoot, 'lockfiles', 'SOURCES.md'), 'utf8');
  return text
    .split(/^### /m)
    .slice(1)
    .map((section) => {
      const file = section.split('\n', 1)[0]!.trim();
      const line = /precise \(leaky_versions\) findings: (.*)$/m.exec(section)?.[1]?.trim() ?? 'missing';
      const findings = line === 'none' ? [] : line.split(/,\s*(?=[A-Za-z])/).map((item) => item.trim());
      return { file, findings };
    });
}

describe.skipIf(!hasShared)(`check against the public database finds exactly what SOURCES.md lists ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  const cases = hasShared ? expectations() : [];

  it('reads an expectation for all 30 lockfiles', () => {
    expect(cases).toHaveLength(30);
  });

  skippedWithoutCorpus('each of the 30 lockfiles: exactly the findings SOURCES.md lists');
  it.each(cases.map((c) => [c.file, c]))('%s', (_file, { file, findings }) => {
    const run = runCli(['check', path.join(sharedRoot, 'lockfiles', file), '--database', publicDatabase, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(findings.length > 0 ? 1 : 0);
    const report = JSON.parse(run.stdout) as { findings: { gem: string; version: string; advisory: { id: string } }[] };
    const got = report.findings.map((f) => `${f.gem} ${f.version} (${f.advisory.id})`).sort();
    expect(got).toEqual([...findings].sort());
  });
});

describe.skipIf(!hasShared)(`the bundled database on real lockfiles ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  const files = hasShared ? expectations().map((c) => c.file) : [];
  const findingsOf = (args: string[]) => {
    const run = runCli(['check', ...args, '--format', 'json']);
    return (JSON.parse(run.stdout) as { findings: { gem: string; version: string; advisory: { id: string } }[] }).findings.map((f) => `${f.gem} ${f.version} (${f.advisory.id})`);
  };

  it('finds everything the public database finds but its documented corrections, and leaks it misses in older apps', () => {
    let bundledTotal = 0;
    let publicTotal = 0;
    const corrected: string[] = [];
    for (const file of files) {
      const lockfile = path.join(sharedRoot, 'lockfiles', file);
      const bundled = findingsOf([lockfile]);
      const publicOnly = findingsOf([lockfile, '--database', publicDatabase]);
      const missed = publicOnly.filter((finding) => !bundled.includes(finding));
      // A public finding the bundled database drops must be one its advisory corrects, with evidence.
      for (const finding of missed) {
        const [, gem, id] = /^(\S+) \S+ \((.+)\)$/.exec(finding)!;
        expect(correctsPublic(gem!, id!), `${file}: ${finding} is dropped without a corrects: entry`).toBe(true);
        corrected.push(`${file}: ${finding}`);
      }
      bundledTotal += bundled.length;
      publicTotal += publicOnly.length;
    }
    expect(files).toHaveLength(30);
    expect(publicTotal).toBe(20);
    // The audit's corrections, as they show on these lockfiles: redis 3.2.2 never had the per-write Timeout.
    expect(corrected).toEqual(['codetriage__CodeTriage__74e599c90b.Gemfile.lock: redis 3.2.2 (612)', 'diaspora__diaspora__8182dfb818.Gemfile.lock: redis 3.2.2 (612)']);
    expect(bundledTotal).toBeGreaterThan(publicTotal * 3);
  });
});

/** Whether the bundled advisory gems/<gem>/<id>.yml declares that it corrects the public database. */
function correctsPublic(gem: string, id: string): boolean {
  const text = readFileSync(path.join(bundledDatabase, 'gems', gem, `${id}.yml`), 'utf8');
  return /^corrects:\n\s+- source: https:\/\/github\.com\/rubymem\/ruby-mem-advisory-db\n\s+reason: .+\n\s+evidence: https:\/\//m.test(text);
}
