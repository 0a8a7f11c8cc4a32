import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase, writeTree } from '../helpers/fixtures.js';
import { SKIP_NO_SHARED, hasShared, publicDatabase, sharedRoot } from '../helpers/paths.js';
import { checkResultValidator, hasSarifSchema, sarifValidator } from './sample.js';

/** Real `gemleak check` runs in a git repository with two apps, one leaky (redis 3.3.0, oj 0.9). */
let root: string;
let repo: string;
const env = () => ({ GEMLEAK_DB: path.join(root, 'db') });

beforeAll(() => {
  root = tempDir('gemleak-formats-');
  repo = path.join(root, 'repo');
  writeSmallDatabase(path.join(root, 'db'));
  writeTree(repo, {
    'apps/api/Gemfile.lock': lockfileWith(['rack (2.2.8)', 'redis (3.3.0)', 'oj (0.9)']),
    'apps/web/Gemfile.lock': lockfileWith(['rack (2.2.8)', 'redis (3.3.1)']),
    '.gemleak.toml': '[[ignore]]\nid = "oj-1"\nreason = "parser only runs in a one-off task"\n',
  });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: repo });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('--format json: validated against schemas/check-result.schema.json', () => {
  it('a run with findings, an applied ignore and a warning', async () => {
    const run = runCli(['check', '--recursive', '--format', 'json', '--ignore', 'nope-1'], { cwd: repo, env: env() });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    const validate = await checkResultValidator();
    expect(validate(report), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(report.schema_version).toBe(1);
    expect(report.config).toBe('.gemleak.toml');
    expect(report.summary).toEqual({ findings: 1, gem_versions: 1, suppressed: 1, lockfiles: 2, affected_lockfiles: 1, gems_checked: 5, advisories: 2, exit_code: 1 });
    expect(report.findings.map((f: { lockfile: string; gem: string; suppressed: unknown }) => [f.lockfile, f.gem, f.suppressed])).toEqual([
      [path.join('apps', 'api', 'Gemfile.lock'), 'redis', null],
      [path.join('apps', 'api', 'Gemfile.lock'), 'oj', { reason: 'parser only runs in a one-off task', until: null }],
    ]);
    expect(report.findings[0].sources).toEqual([path.join(root, 'db')]);
    expect(report.ignores).toEqual([
      { id: 'oj-1', reason: 'parser only runs in a one-off task', until: null, source: 'config', file: '.gemleak.toml', line: 1, status: 'applied', matches: 1 },
      { id: 'nope-1', reason: 'ignored with --ignore', until: null, source: 'cli', file: null, line: null, status: 'unused', matches: 0 },
    ]);
    // The validator does reject a document that breaks the schema.
    expect(validate({ ...report, schema_version: 2 })).toBe(false);
    expect(validate({ ...report, extra: true })).toBe(false);
  });

  it('a clean run', async () => {
    const run = runCli(['check', 'apps/web', '--format', 'json', '--no-config'], { cwd: repo, env: env() });
    expect(run.status).toBe(0);
    const validate = await checkResultValidator();
    expect(validate(JSON.parse(run.stdout)), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('--format sarif', () => {
  it('locates findings from the repository top, whatever the working directory', () => {
    const run = runCli(['check', 'Gemfile.lock', '--format', 'sarif', '--no-config'], { cwd: path.join(repo, 'apps/api'), env: env() });
    expect(run.status).toBe(1);
    const log = JSON.parse(run.stdout);
    const uris = log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => [
      r.locations[0]?.physicalLocation.artifactLocation.uri,
      r.locations[0]?.physicalLocation.region.startLine,
    ]);
    expect(uris).toEqual([
      ['apps/api/Gemfile.lock', 5],
      ['apps/api/Gemfile.lock', 6],
    ]);
    expect(log.runs[0].automationDetails.id).toBe('gemleak/apps/api/Gemfile.lock/');
  });

  it.skipIf(!hasSarifSchema)(`real output validates against the SARIF 2.1.0 schema ${hasSarifSchema ? '' : SKIP_NO_SHARED}`, async () => {
    const validate = await sarifValidator();
    for (const args of [['--recursive'], ['apps/web']]) {
      const run = runCli(['check', ...args, '--format', 'sarif'], { cwd: repo, env: env() });
      const log = JSON.parse(run.stdout);
      expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    }
  });

  it.skipIf(!hasShared || !hasSarifSchema)(`a real lockfile against the public database validates ${hasShared ? '' : SKIP_NO_SHARED}`, async () => {
    const lockfile = path.join(sharedRoot, 'lockfiles', 'diaspora__diaspora__6b0a5823e3.Gemfile.lock');
    const run = runCli(['check', lockfile, '--database', publicDatabase, '--format', 'sarif', '--no-config'], { cwd: root });
    expect(run.status).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(['redcarpet-516', 'sidekiq-2598', 'therubyracer-336']);
    const validate = await sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });
});

describe('--format github, markdown, junit', () => {
  it('github: annotations only, at the lines, from the repository top', () => {
    const run = runCli(['check', '-r', '--format', 'github'], { cwd: path.join(repo, 'apps'), env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      '::error file=apps/api/Gemfile.lock,line=5,col=5,endColumn=18,title=redis 3.3.0%3A known memory leak (redis-612)::redis 3.3.0 has a known memory leak (redis-612): Timeout threads pile up. Upgrade to 3.3.1 (safe: 3.3.1 and later): cd -- api && bundle update redis. https://example.com/redis/issues/1\n',
    );
  });

  it('markdown: a table row per finding', () => {
    const run = runCli(['check', '-r', '--format', 'markdown'], { cwd: repo, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('### :x: gemleak: 1 known leak in 1 gem version (1 of 2 lockfiles affected)');
    expect(run.stdout).toContain('| **redis** 3.3.0 | `apps/api/Gemfile.lock:5` |');
    expect(run.stdout).toContain('<details><summary>Ignored (1)</summary>');
  });

  it('junit: a test case per gem', () => {
    const run = runCli(['check', '-r', '--format', 'junit'], { cwd: repo, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('<testsuites name="gemleak" tests="5" failures="1" errors="0" skipped="1" time="0">');
    expect(run.stdout.match(/<testcase /g)).toHaveLength(5);
  });

  it.each(['text', 'json', 'sarif', 'github', 'markdown', 'junit'])('--output writes %s to the file and nothing to stdout', (format) => {
    const output = path.join(root, `report.${format}`);
    const run = runCli(['check', '-r', '--format', format, '--output', output], { cwd: repo, env: env() });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const written = readFileSync(output, 'utf8');
    expect(written).toContain('redis');
    expect(written).not.toContain('\u001b[');
  });
});

describe('GitHub Actions', () => {
  it('adds annotations after the text report and the Markdown report to the job summary', () => {
    const summary = path.join(root, 'summary-auto.md');
    writeFileSync(summary, '# earlier step\n');
    const run = runCli(['check', '-r'], { cwd: repo, env: { ...env(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(run.status).toBe(1);
    const [text, annotations] = run.stdout.split('\n::error ');
    expect(text).toContain('1 known leak in 1 gem version (1 of 2 lockfiles affected): 2 lockfiles');
    expect(`::error ${annotations}`).toMatch(/^::error file=apps\/api\/Gemfile.lock,line=5,/);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n### :x: gemleak: 1 known leak in 1 gem version (1 of 2 lockfiles affected)')).toBe(true);
  });

  it('adds nothing when --format is explicit, except the summary for markdown without --output', () => {
    const summary = path.join(root, 'summary-explicit.md');
    const text = runCli(['check', '-r', '--format', 'text'], { cwd: repo, env: { ...env(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(text.stdout).not.toContain('::error');
    expect(existsSync(summary)).toBe(false);
    const markdown = runCli(['check', '-r', '--format', 'markdown'], { cwd: repo, env: { ...env(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(markdown.stdout).toContain('### :x: gemleak');
    expect(readFileSync(summary, 'utf8')).toBe(`${markdown.stdout}\n`);
  });

  it('outside GitHub Actions, the text report stands alone', () => {
    const run = runCli(['check', '-r'], { cwd: repo, env: env() });
    expect(run.stdout).not.toContain('::error');
  });

  it('a summary that cannot be written only warns', () => {
    const run = runCli(['check', 'apps/web'], { cwd: repo, env: { ...env(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: path.join(root, 'no-such-dir', 'summary.md') } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('gemleak: warning: cannot write the job summary to $GITHUB_STEP_SUMMARY (ENOENT)');
  });
});
