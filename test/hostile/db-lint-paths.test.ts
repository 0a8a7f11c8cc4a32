import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir, writeSmallDatabase } from '../helpers/fixtures.js';

// Issue 11: `db lint /`, `db lint ''` are exit 2 naming the path as typed; a symbolic link to a
// valid database lints as `check` reads it.
let root: string;

beforeAll(() => {
  root = tempDir('gemleak-hostile-lint-');
  writeSmallDatabase(path.join(root, 'db'));
  symlinkSync(path.join(root, 'db'), path.join(root, 'linked-db'));
  writeFileSync(path.join(root, 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lint = (dir: string) => runCli(['db', 'lint', dir], { cwd: root });

describe('db lint paths', () => {
  it.each([
    ['/', 'gemleak: /: not an advisory database: it has no gems/ folder\n'],
    ['', "gemleak: '' is not a folder: name the database folder (the one holding gems/)\n"],
    ['../../../..', 'gemleak: ../../../..: not an advisory database: it has no gems/ folder\n'],
    ['Gemfile.lock', 'gemleak: Gemfile.lock: not a folder; db lint takes the database folder (the one holding gems/)\n'],
    ['no/such', 'gemleak: no/such: no such folder\n'],
  ])('db lint %j: exit 2, named as typed', (dir, stderr) => {
    const run = lint(dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(stderr);
    expect(run.stdout).toBe('');
  });

  it('a symbolic link to a valid database lints clean, as check reads it', () => {
    const run = lint('linked-db');
    expect(run).toMatchObject({ status: 0, stdout: 'linked-db: 2 advisories, no problems\n' });
    expect(runCli(['check', 'Gemfile.lock', '--database', 'linked-db'], { cwd: root }).status).toBe(1);
  });
});
