import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runCheck } from '../../src/check/run.js';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeTree } from '../helpers/fixtures.js';

/** `check` audits the app's Ruby too: from the lockfile's RUBY VERSION or the files beside it. */
let root: string;
const withRuby = (ruby: string) => `${lockfileWith(['rack (2.2.8)']).trimEnd()}\n\nRUBY VERSION\n   ${ruby}\n`;

beforeAll(() => {
  root = tempDir();
  writeTree(root, {
    'locked/Gemfile.lock': withRuby('ruby 3.3.0p0'),
    'dotfile/Gemfile.lock': lockfileWith(['rack (2.2.8)']),
    'dotfile/.ruby-version': '3.1.2\n',
    'fixed/Gemfile.lock': withRuby('ruby 3.4.5p51'),
    'unknown/Gemfile.lock': lockfileWith(['rack (2.2.8)']),
    'jruby/Gemfile.lock': lockfileWith(['rack (2.2.8)']),
    'jruby/.ruby-version': 'jruby-9.4.5.0\n',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const check = (paths: string[], extra: Partial<Parameters<typeof runCheck>[0]> = {}) =>
  runCheck({ paths, cwd: root, env: { GEMLEAK_HOME: path.join(root, 'home') }, now: new Date('2026-06-01T12:00:00Z'), ...extra });

describe('interpreter leaks in check', () => {
  it.each([
    ['locked', 'lockfile', '3.3.0', true],
    ['dotfile', 'ruby-version', '3.1.2', true],
    ['fixed', 'lockfile', '3.4.5', false],
  ])('%s: the Ruby from %s (%s), leaks found: %s', async (folder, kind, version, leaky) => {
    const result = await check([folder]);
    const [audit] = result.audits;
    expect(audit!.ruby).toMatchObject({ engine: 'ruby', version, kind });
    const ruby = audit!.findings.filter((finding) => finding.gem === 'ruby');
    expect(ruby.length > 0).toBe(leaky);
    for (const finding of ruby) {
      expect(finding.advisory.id).toMatch(/^\d+$/);
      expect(finding.interpreter?.source.file).toBe(audit!.ruby!.file);
      expect(finding.fix.minimumSafeVersion).not.toBeNull();
    }
    expect(result.exitCode).toBe(leaky ? 1 : 0);
  });

  it('no exact Ruby known (or another engine): no interpreter finding, ruby is null', async () => {
    const result = await check(['unknown', 'jruby']);
    expect(result.audits.map((audit) => audit.findings.length)).toEqual([0, 0]);
    expect(result.audits[0]!.ruby).toBeNull();
  });

  it('a condition such as YJIT is carried with the finding', async () => {
    const result = await check(['locked']);
    const yjit = result.audits[0]!.findings.find((finding) => finding.advisory.id === '20209');
    expect(yjit?.interpreter?.appliesWhen).toMatch(/YJIT/);
  });

  it('ignore key ruby-<id> suppresses it', async () => {
    const result = await check(['dotfile'], { ignore: ['ruby-20145', 'ruby-20209'] });
    expect(result.summary.leaks).toBe(0);
    expect(result.summary.suppressed).toBe(2);
  });

  it('SARIF places the finding at the line that names the version', () => {
    const run = runCli(['check', 'dotfile', '--format', 'sarif'], { cwd: root, env: { GEMLEAK_HOME: path.join(root, 'home') } });
    const results = JSON.parse(run.stdout).runs[0].results as {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    const ruby = results.filter((result) => result.ruleId.includes('ruby-'));
    expect(ruby.length).toBe(2);
    for (const result of ruby) {
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('dotfile/.ruby-version');
      expect(result.locations[0]!.physicalLocation.region.startLine).toBe(1);
    }
    expect(ruby.map((result) => result.level).sort()).toEqual(['error', 'warning']);
  });
});
