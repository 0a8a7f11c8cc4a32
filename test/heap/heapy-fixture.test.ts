import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { shopDir, shopDump } from './dumps.js';

/**
 * The committed heapy outputs (test/fixtures/heap/shop/heapy-*.txt) are what `--compat heapy` is
 * compared with when heapy is absent. Where heapy is installed, this regenerates them the way
 * scripts/gen-heap-fixtures.rb does, so the fixture cannot drift from heapy.
 */

const heapy = spawnSync('sh', ['-c', 'command -v heapy'], { encoding: 'utf8' }).stdout.trim();
const hasHeapy = heapy !== '';
const SKIP_NO_HEAPY = '(skipped: heapy is not installed; apt-get install ruby-heapy)';

let dir: string;
const plain: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
beforeAll(() => {
  dir = tempDir('gemleak-heapy-');
  for (const name of ['A', 'B', 'C'] as const) {
    plain[name] = path.join(dir, `${name}.ndjson`);
    writeFileSync(plain[name], gunzipSync(readFileSync(shopDump(name))));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** heapy's report lines; it also prints `Could not parse <line>` for lines it cannot read. */
function heapyReport(args: string[]): string {
  const run = spawnSync(heapy, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith('Could not parse '))
    .join('');
}

describe.skipIf(!hasHeapy)(`the committed heapy outputs are what heapy prints today ${hasHeapy ? '' : SKIP_NO_HEAPY}`, () => {
  it('heapy version', () => {
    expect(spawnSync(heapy, ['version'], { encoding: 'utf8' }).stdout).toBe(readFileSync(path.join(shopDir, 'heapy-version.txt'), 'utf8'));
  });

  it.each([
    ['3-way', ['A', 'B', 'C'], 'heapy-3way.txt'],
    ['2-way', ['A', 'B'], 'heapy-2way.txt'],
  ] as const)('%s: heapy diff, regenerated, equals the fixture and gemleak --compat heapy', (_name, roles, fixture) => {
    const fresh = heapyReport(['diff', ...roles.map((role) => plain[role])]);
    expect(fresh.split('\n').length).toBeGreaterThan(3);
    expect(fresh).toBe(readFileSync(path.join(shopDir, fixture), 'utf8'));
    expect(runCli(['heap', 'diff', ...roles.map((role) => shopDump(role)), '--compat', 'heapy']).stdout).toBe(fresh);
  });
});
