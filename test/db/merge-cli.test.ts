import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { advisoryFile, lockfileWith, writeTree } from '../helpers/fixtures.js';
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
