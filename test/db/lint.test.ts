import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, tempDir, writeTree } from '../helpers/fixtures.js';
import { bundledDatabase } from '../helpers/paths.js';

let root: string;
beforeEach(() => {
  root = tempDir('gemleak-lint-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const lint = (...args: string[]) => runCli(['db', 'lint', ...args], { cwd: root });

/** A complete advisory by the bundled database's rules: trigger and evidence for fix and start. */
function withEvidence(gem: string, extra = ''): string {
  return `${advisoryFile(gem, { leaky: ['>= 1.2.0, < 1.4.0'], patched: ['>= 1.4.0'], unaffected: ['< 1.2.0'] })}trigger: feature
evidence:
  fix: https://example.com/${gem}/commit/abc
  fixed_in: "1.4.0"
  introduced_by: https://example.com/${gem}/commit/def
  introduced_in: "1.2.0"
${extra}`;
}

describe('gemleak db lint: every problem of a file in one pass', () => {
  it('a folder mismatch does not hide the range problems of the same file', () => {
    writeTree(root, { 'gems/redis/1.yml': advisoryFile('rediss', { leaky: ['< 2.0'], patched: ['>= 1.9'] }).replace('title:', 'titel: x\ntitle:') });
    const run = lint('.');
    expect(run.stdout.split('\n')).toEqual([
      "gems/redis/1.yml:2: gem 'rediss' does not match its folder gems/redis/",
      "gems/redis/1.yml:4: unknown key 'titel': gemleak ignores it (a typo?)",
      'gems/redis/1.yml:12: 1.9 is both leaky and patched',
      '3 problems in . (1 advisory)',
      '',
    ]);
    expect(run.status).toBe(1);
  });

  it('lists every bad field, not only the first', () => {
    writeTree(root, {
      'gems/oj/1.yml': '---\ngem: oj\nurl: ftp://x\ntitle: 42\ndate: 2020-02-30\ntrigger: always\nevidence:\n  fix: not-a-url\n  fixed_in: 1.5\n  fixd_in: "1"\n',
    });
    const run = lint('.');
    expect(run.stdout.split('\n')).toEqual([
      "gems/oj/1.yml:3: url must be an http(s) URL, got 'ftp://x'",
      "gems/oj/1.yml:4: 'title' must be a string",
      "gems/oj/1.yml:5: date must be a real date written YYYY-MM-DD, got '2020-02-30'",
      "gems/oj/1.yml:6: unknown trigger 'always' (known: traffic, feature, rare)",
      "gems/oj/1.yml:8: 'evidence.fix' must be an http(s) URL, got 'not-a-url'",
      'gems/oj/1.yml:9: \'evidence.fixed_in\' must be a string (quote versions: "3.5.1")',
      "gems/oj/1.yml:10: unknown key 'evidence.fixd_in': gemleak ignores it (a typo?)",
      '7 problems in . (1 advisory)',
      '',
    ]);
  });

  it('reports an ignore key that names two advisories (issue: sidekiq/pro-4652 and sidekiq-pro/4652)', () => {
    writeTree(root, {
      'gems/sidekiq/pro-4652.yml': advisoryFile('sidekiq', { leaky: ['< 7'] }),
      'gems/sidekiq-pro/4652.yml': advisoryFile('sidekiq-pro', { leaky: ['< 5'] }),
    });
    const run = lint('.');
    expect(run.stdout.split('\n')).toEqual([
      "gems/sidekiq-pro/4652.yml: ignore key 'sidekiq-pro-4652' is ambiguous: gems/sidekiq/pro-4652.yml gives the same key; rename one",
      "gems/sidekiq/pro-4652.yml: ignore key 'sidekiq-pro-4652' is ambiguous: gems/sidekiq-pro/4652.yml gives the same key; rename one",
      '2 problems in . (2 advisories)',
      '',
    ]);
    expect(run.status).toBe(1);
  });

  it('checks evidence against the ranges, and corrects: outside the bundled database', () => {
    writeTree(root, {
      'gems/oj/1.yml': withEvidence('oj').replace('fixed_in: "1.4.0"', 'fixed_in: "1.3.9"').replace('introduced_in: "1.2.0"', 'introduced_in: "1.1.0"'),
      'gems/ox/1.yml': `${withEvidence('ox')}corrects:\n  - source: https://github.com/rubymem/ruby-mem-advisory-db\n    reason: r\n    evidence: https://example.com/e\n`,
      'rubies/ruby/1.yml': 'engine: ruby\ntitle: t\nurl: https://example.com/1\ndate: 2024-01-01\npatched_versions: [">= 3.3.1"]\napplies_when:\n  condition: yjt\n  text: only with YJIT\n',
    });
    const run = lint('.');
    expect(run.stdout.split('\n')).toEqual([
      "gems/oj/1.yml:18: evidence.fixed_in 1.3.9 is flagged by the advisory's own ranges",
      "gems/oj/1.yml:20: evidence.introduced_in 1.1.0 is not flagged by the advisory's own ranges",
      "gems/ox/1.yml:21: 'corrects' only takes effect in gemleak's bundled database: here it is ignored",
      "rubies/ruby/1.yml:7: unknown applies_when condition 'yjt' (known: yjit, rjit, regexp_timeout, ractor, tracepoint, ripper, prism, iseq_binary)",
      '4 problems in . (3 advisories)',
      '',
    ]);
  });

  it('lints rubies/ like gems/: folder names, stray files, engine matching its folder', () => {
    writeTree(root, {
      'gems/oj/1.yml': advisoryFile('oj', { leaky: ['< 1'] }),
      'rubies/ruby/1.yml': 'engine: jruby\ntitle: t\nurl: https://example.com/1\ndate: 2024-01-01\n',
      'rubies/ruby/notes.txt': 'x',
      'rubies/README.md': 'x',
    });
    const run = lint('.');
    expect(run.stdout.split('\n')).toEqual([
      'rubies/README.md: not a Ruby engine folder: rubies/ holds one folder per Ruby engine',
      "rubies/ruby/1.yml:1: engine 'jruby' does not match its folder rubies/ruby/",
      'rubies/ruby/notes.txt: not an advisory: gemleak reads only <id>.yml files here',
      '3 problems in . (2 advisories)',
      '',
    ]);
  });
});

describe('gemleak db lint --bundled: evidence required', () => {
  it('requires trigger always, fix and fixed_in with patched versions, introduced_by and introduced_in with a lower bound', () => {
    writeTree(root, {
      'gems/complete/1.yml': withEvidence('complete'),
      'gems/bare/1.yml': advisoryFile('bare', { leaky: ['= 2.0'], patched: ['>= 2.1'] }),
      'gems/nostart/1.yml': `${advisoryFile('nostart', { patched: ['>= 2.1'] })}trigger: rare\nevidence:\n  fix: https://example.com/f\n  fixed_in: "2.1"\n`,
      'rubies/ruby/1.yml': 'engine: ruby\ntitle: t\nurl: https://example.com/1\ndate: 2024-01-01\nleaky_versions: [">= 3.3.0, < 3.3.1"]\ntrigger: traffic\n',
    });
    const plain = lint('.');
    expect(plain.stdout).toBe('.: 4 advisories, no problems\n');
    const run = lint('--bundled', '.');
    expect(run.stdout.split('\n')).toEqual([
      "gems/bare/1.yml: missing 'trigger' (traffic, feature or rare): required in gemleak's bundled database",
      "gems/bare/1.yml: missing 'evidence.fix': required in gemleak's bundled database when patched_versions is given (the fix commit or pull request)",
      "gems/bare/1.yml: missing 'evidence.fixed_in': required in gemleak's bundled database when patched_versions is given (the first release with the fix)",
      "gems/bare/1.yml: missing 'evidence.introduced_by': required in gemleak's bundled database when leaky_versions has a lower bound (what introduced the leak)",
      "gems/bare/1.yml: missing 'evidence.introduced_in': required in gemleak's bundled database when leaky_versions has a lower bound (the first release with the leaking code)",
      "rubies/ruby/1.yml: missing 'evidence.introduced_by': required in gemleak's bundled database when leaky_versions has a lower bound (what introduced the leak)",
      "rubies/ruby/1.yml: missing 'evidence.introduced_in': required in gemleak's bundled database when leaky_versions has a lower bound (the first release with the leaking code)",
      '7 problems in . (4 advisories)',
      '',
    ]);
    expect(run.status).toBe(1);
  });

  it('asks no evidence of a withdrawn advisory, and does not require it to flag anything', () => {
    writeTree(root, { 'gems/ox/1.yml': `${advisoryFile('ox', { leaky: ['= 1.0'], patched: ['>= 1.0'] })}withdrawn: "a security bug, not a leak"\n` });
    expect(lint('--bundled', '.').stdout).toBe('.: 1 advisory, no problems\n');
  });

  it('allows corrects: in the bundled database', () => {
    writeTree(root, { 'gems/ox/1.yml': `${withEvidence('ox')}corrects:\n  - source: https://github.com/rubymem/ruby-mem-advisory-db\n    reason: r\n    evidence: https://example.com/e\n` });
    expect(lint('--bundled', '.').stdout).toBe('.: 1 advisory, no problems\n');
  });

  it('without a folder lints the bundled database; without either it is a usage error', () => {
    const run = runCli(['db', 'lint', '--bundled']);
    expect(run.stdout).toContain(bundledDatabase);
    expect([0, 1]).toContain(run.status);
    const none = runCli(['db', 'lint']);
    expect(none.status).toBe(2);
  });
});

/** Whether the data helpers have written evidence into the bundled database yet (any advisory with a trigger). */
function bundledHasEvidenceData(): boolean {
  const gems = path.join(bundledDatabase, 'gems');
  return readdirSync(gems).some((gem) => readdirSync(path.join(gems, gem)).some((file) => /^trigger:/m.test(readFileSync(path.join(gems, gem, file), 'utf8'))));
}
const evidenceLanded = bundledHasEvidenceData();

describe('the bundled database', () => {
  it('has no lint problem other than missing evidence', () => {
    const run = runCli(['db', 'lint', '--bundled']);
    const other = run.stdout
      .split('\n')
      .slice(0, -2)
      .filter((line) => !/: missing '(trigger|evidence\.[a-z_]+)'/.test(line));
    expect(other).toEqual([]);
  });

  it.skipIf(!evidenceLanded)(`backs every advisory with its evidence (db lint --bundled is clean) ${evidenceLanded ? '' : '(skipped: no bundled advisory has trigger/evidence yet)'}`, () => {
    const run = runCli(['db', 'lint', '--bundled']);
    expect(run.stdout).toMatch(/ advisories, no problems\n$/);
    expect(run.status).toBe(0);
  });
});
