import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, tempDir, writeTree } from '../helpers/fixtures.js';

/**
 * Issue 12's "counts that add up": one check over several lockfiles in every format, and the same
 * numbers everywhere: N known leaks in M gem versions, K of L lockfiles affected.
 */
let root: string;
const N = 3; // redis 3.3.0 has two leaks, oj 0.9 one
const M = 2;
const K = 1;
const L = 2;

beforeAll(() => {
  root = tempDir();
  writeTree(root, {
    'db/gems/redis/1.yml': advisoryFile('redis', { leaky: ['< 3.4'], patched: ['>= 3.4'] }),
    'db/gems/redis/2.yml': advisoryFile('redis', { leaky: ['= 3.3.0'], patched: ['>= 3.3.1'] }),
    'db/gems/oj/1.yml': advisoryFile('oj', { leaky: ['< 1.0'], patched: ['>= 1.0'] }),
    'apps/leaky/Gemfile.lock': lockfileWith(['redis (3.3.0)', 'oj (0.9)', 'rack (2.2.8)']),
    'apps/clean/Gemfile.lock': lockfileWith(['rack (2.2.8)']),
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (format: string) => {
  const result = runCli(['check', 'apps/leaky', 'apps/clean', '--format', format], { cwd: root, env: { GEMLEAK_DB: path.join(root, 'db'), GEMLEAK_HOME: path.join(root, 'home') } });
  expect(result.status, result.stderr).toBe(1);
  return result.stdout;
};
const sentence = `${N} known leaks in ${M} gem versions (${K} of ${L} lockfiles affected)`;

describe('the same numbers in every format', () => {
  it('text and table say the one sentence', () => {
    expect(run('text')).toContain(sentence);
    expect(run('table')).toContain(sentence);
  });

  it('markdown says it in its headline', () => {
    expect(run('markdown').split('\n')[0]).toBe(`### :x: gemleak: ${sentence}`);
  });

  it('json has each number in its summary', () => {
    const summary = JSON.parse(run('json')).summary;
    expect(summary).toMatchObject({ findings: N, gem_versions: M, affected_lockfiles: K, lockfiles: L });
  });

  it('sarif has one result per known leak', () => {
    const sarif = JSON.parse(run('sarif'));
    expect(sarif.runs[0].results).toHaveLength(N);
    expect(new Set(sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri)).size).toBe(K);
  });

  it('github has one annotation per known leak', () => {
    expect(
      run('github')
        .split('\n')
        .filter((line) => /^::(error|warning|notice) /.test(line)),
    ).toHaveLength(N);
  });

  it('junit fails one test case per leaky gem version, in the affected lockfile only', () => {
    const junit = run('junit');
    expect(junit.match(/<failure /g)).toHaveLength(M);
    const suites = [...junit.matchAll(/<testsuite name="([^"]+)"[^>]* failures="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(suites.filter(([, failures]) => (failures as number) > 0)).toHaveLength(K);
    expect(suites).toHaveLength(L);
  });
});
