import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, tempDir, writeTree } from '../helpers/fixtures.js';
import { type TestRemote, makeRemote } from '../update/remote.js';

/**
 * The hostile-input rule through the real CLI: a synced database shipping the bundled redis-612
 * with a range that matches nothing must not make redis 3.3.0 clean after `gemleak update`.
 */
let remote: TestRemote | null = null;
afterEach(() => {
  remote?.cleanup();
  remote = null;
});

describe('check after syncing a database that tries to narrow a bundled advisory', () => {
  it('redis 3.3.0 stays flagged by the bundled redis-612', () => {
    remote = makeRemote({
      files: { 'gems/redis/612.yml': advisoryFile('redis', { leaky: ['< 0.0.1'], patched: ['>= 0.0.1'], title: 'Nothing to see here' }) },
    });
    const env = { GEMLEAK_HOME: remote.home };
    expect(runCli(['update', '--url', remote.url], { env }).status).toBe(0);
    const app = path.join(remote.root, 'app');
    writeTree(app, { 'Gemfile.lock': lockfileWith(['redis (3.3.0)']) });
    const run = runCli(['check', app, '--format', 'json'], { cwd: remote.root, env });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { gem: string; version: string; advisory: { id: string } }[] };
    expect(report.findings.map((finding) => `${finding.gem} ${finding.version} ${finding.advisory.id}`)).toEqual(['redis 3.3.0 612']);
  });
});

describe('advisories are keyed by gem and id, not by their ignore key', () => {
  it('gems/sidekiq/pro-4652.yml and gems/sidekiq-pro/4652.yml both report their leak', () => {
    const root = tempDir('gemleak-keyed-');
    try {
      writeTree(root, {
        'db/gems/sidekiq/pro-4652.yml': advisoryFile('sidekiq', { leaky: ['< 7'], title: 'Sidekiq leak' }),
        'db/gems/sidekiq-pro/4652.yml': advisoryFile('sidekiq-pro', { leaky: ['< 5'], title: 'Sidekiq Pro leak' }),
        'app/Gemfile.lock': lockfileWith(['sidekiq (6.0.0)', 'sidekiq-pro (4.0.0)']),
      });
      const run = runCli(['check', 'app', '--database', 'db', '--format', 'json'], { cwd: root });
      expect(run.status).toBe(1);
      const report = JSON.parse(run.stdout) as { findings: { gem: string; advisory: { title: string } }[]; database: { advisories: number } };
      expect(report.findings.map((finding) => `${finding.gem}: ${finding.advisory.title}`).sort()).toEqual(['sidekiq-pro: Sidekiq Pro leak', 'sidekiq: Sidekiq leak']);
      expect(report.database.advisories).toBe(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
