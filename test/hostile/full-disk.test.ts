import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { INITIAL_DATABASE, type TestRemote, makeRemote } from '../update/remote.js';

// Issue 11: a full disk while the lock, the index or the record is written is one line and exit 2,
// with nothing half-written left behind. A real full disk: a small tmpfs, which needs root.
const probe = tempDir('gemleak-tmpfs-probe-');
const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0 && spawnSync('umount', [probe]).status === 0;
rmSync(probe, { recursive: true, force: true });
const SKIP_NO_TMPFS = '(skipped: mounting a small tmpfs needs root)';

describe.skipIf(!canMount)(`full disk during gemleak update ${canMount ? '' : SKIP_NO_TMPFS}`, () => {
  let remote: TestRemote;
  let disk: string;
  beforeAll(() => {
    remote = makeRemote({ files: INITIAL_DATABASE });
    remote.commit(INITIAL_DATABASE, 'initial');
  });
  afterAll(() => remote.cleanup());
  afterEach(() => {
    spawnSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  function mountDisk(size: string): string {
    disk = tempDir('gemleak-full-disk-');
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk]).status).toBe(0);
    return disk;
  }

  function fill(folder: string): void {
    spawnSync('sh', ['-c', `dd if=/dev/zero of="${folder}/filler" bs=1k 2>/dev/null; true`]);
  }

  const leftovers = (home: string) =>
    existsSync(home)
      ? readdirSync(home, { recursive: true })
          .map(String)
          .filter((name) => /update\.lock|\.tmp|synced\.json|\.staging-|index\.json/.test(name))
      : [];

  it('full when the lock is taken: one line, exit 2, no lock left', () => {
    const home = path.join(mountDisk('2m'), 'home');
    mkdirSync(path.join(home, 'synced'), { recursive: true });
    fill(disk);
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: home } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gemleak: .*(no space left on device|ENOSPC)[^\n]*\n$/);
    expect(leftovers(home)).toEqual([]);
    // The next update, with room again, is not held off by anything left behind.
    rmSync(path.join(disk, 'filler'));
    const again = runCli(['update', '--url', remote.url], { cwd: remote.root, env: { GEMLEAK_HOME: home } });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('waiting');
  });

  it('full when the index is written (the disk fills up right after the clone): one line, exit 2, no copy left', () => {
    const home = path.join(mountDisk('4m'), 'home');
    // git copies a template's hooks into the clone and runs post-checkout once the files are out.
    const template = path.join(remote.root, 'fill-template');
    const hooks = path.join(template, 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'post-checkout'), `#!/bin/sh\ndd if=/dev/zero of="${disk}/filler" bs=1k 2>/dev/null\nexit 0\n`);
    chmodSync(path.join(hooks, 'post-checkout'), 0o755);
    const env = { GEMLEAK_HOME: home, GIT_TEMPLATE_DIR: template };
    const run = runCli(['update', '--url', remote.url], { cwd: remote.root, env });
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/no space left on device/);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(leftovers(home)).toEqual([]);
    expect(readdirSync(path.join(home, 'synced'))).toEqual([]);
  });
});
