import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { INITIAL_DATABASE, type TestRemote, makeRemote } from '../update/remote.js';

// Issue 11: orphan copies in the synced folder survived every "already up to date" update.
describe('orphan copies are cleaned on every update', () => {
  let remote: TestRemote;
  beforeAll(() => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.commit(INITIAL_DATABASE, 'initial');
  });
  afterAll(() => remote.cleanup());

  const update = () => runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: remote.home } });
  const synced = () => readdirSync(path.join(remote.home, 'synced')).sort();

  it('an "already up to date" update removes copies and indexes that no record names', () => {
    expect(update().status).toBe(0);
    const current = synced();
    expect(current).toHaveLength(2); // the copy and its index
    const orphans = ['20200101T000000000Z-deadbee', '20200101T000000000Z-deadbee.index.json', '20210101T000000000Z-abc1234'];
    mkdirSync(path.join(remote.home, 'synced', orphans[0]!, 'gems'), { recursive: true });
    writeFileSync(path.join(remote.home, 'synced', orphans[1]!), '{}');
    mkdirSync(path.join(remote.home, 'synced', orphans[2]!));
    expect(synced()).toHaveLength(5);
    const run = update();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/up to date|unchanged|no new/i);
    expect(synced()).toEqual(current);
  });
});
