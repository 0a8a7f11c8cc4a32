import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gemleak from '../src/index.js';
import { repoRoot } from './helpers/paths.js';

describe('gemleak as a library', () => {
  it('parses, loads, audits: the same result as the CLI on the sample lockfile', async () => {
    const lockfile = await gemleak.readLockfile(path.join(repoRoot, 'examples', 'Gemfile.lock'), 'examples/Gemfile.lock');
    const database = await gemleak.loadAdvisoryDatabase(gemleak.BUNDLED_DATABASE_ROOT, { gems: gemleak.lockedGemNames(lockfile) });
    const audit = gemleak.auditLockfile(lockfile, database.advisories);
    expect(audit.findings.map((f) => `${f.gem} ${f.version} ${gemleak.ignoreKey(f.advisory)}`).sort()).toEqual([
      'celluloid 0.17.0 celluloid-670',
      'json 1.8.6 json-574',
      'json 1.8.6 json-659',
      'oj 2.12.10 oj-0bc2b058',
      'redis 3.3.0 redis-612',
      'sidekiq 3.4.1 sidekiq-2598',
    ]);
  });

  it("is importable by another package through the package's exports", () => {
    const script = "import('gemleak').then((m) => console.log(typeof m.parseLockfile, typeof m.GemVersion, m.GEMLEAK_VERSION))";
    // Resolve the package by name from its own folder (Node's self-reference), as a dependent would.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toMatch(/^function function \d+\.\d+\.\d+$/);
  });
});
