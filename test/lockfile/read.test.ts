import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GemleakError } from '../../src/errors.js';
import { readLockfile, resolveLockfilePath } from '../../src/lockfile/index.js';
import { lockfileWith } from '../helpers/fixtures.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gemleak-lockfile-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, content: string | Uint8Array): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<GemleakError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  if (error instanceof GemleakError) return error;
  throw error;
}

describe('resolveLockfilePath', () => {
  it.each([
    ['a folder with both lockfiles gives Gemfile.lock', ['app/Gemfile.lock', 'app/gems.locked'], 'app', 'app/Gemfile.lock'],
    ['a folder with only gems.locked gives gems.locked', ['app/gems.locked'], 'app', 'app/gems.locked'],
    ['a file path is returned as it is, whatever its name', ['app/Gemfile.next.lock'], 'app/Gemfile.next.lock', 'app/Gemfile.next.lock'],
    ['a folder named Gemfile.lock is not taken for the lockfile', ['app/Gemfile.lock/README', 'app/gems.locked'], 'app', 'app/gems.locked'],
  ])('%s', async (_name, files, target, expected) => {
    for (const file of files) write(file, lockfileWith(['rack (2.2.8)']));
    expect(await resolveLockfilePath(path.join(root, target))).toBe(path.join(root, expected));
  });

  it('says neither lockfile exists in a folder without one, naming the folder', async () => {
    write('app/Gemfile', "source 'https://rubygems.org'\n");
    const error = await rejection(resolveLockfilePath(path.join(root, 'app')));
    expect({ code: error.code, file: error.file }).toEqual({ code: 'LOCKFILE_NOT_FOUND', file: path.join(root, 'app') });
    expect(error.message).toContain('neither Gemfile.lock nor gems.locked exists in this folder');
  });

  it('names a path that does not exist', async () => {
    const missing = path.join(root, 'no/such/Gemfile.lock');
    const error = await rejection(resolveLockfilePath(missing));
    expect({ code: error.code, file: error.file, exitCode: error.exitCode }).toEqual({ code: 'LOCKFILE_NOT_FOUND', file: missing, exitCode: 2 });
    expect(error.describe()).toContain('no/such/Gemfile.lock: no such file or folder');
  });
});

describe('readLockfile', () => {
  it('reads, decodes and parses a lockfile, naming it by the path given', async () => {
    const file = write('Gemfile.lock', lockfileWith(['rack (2.2.8)', 'nokogiri (1.16.2-x86_64-linux)'], ['ruby', 'x86_64-linux']));
    const lockfile = await readLockfile(file);
    expect(lockfile.file).toBe(file);
    expect(lockfile.specs.map((spec) => [spec.name, spec.version, spec.platform, spec.line])).toEqual([
      ['rack', '2.2.8', null, 4],
      ['nokogiri', '1.16.2', 'x86_64-linux', 5],
    ]);
    expect(lockfile.warnings).toEqual([]);
  });

  it('drops a UTF-8 byte-order mark and warns that Bundler would not', async () => {
    const text = lockfileWith(['rack (2.2.8)']);
    const file = write('Gemfile.lock', Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]));
    const lockfile = await readLockfile(file);
    expect(lockfile.specs.map((spec) => spec.name)).toEqual(['rack']);
    expect(lockfile.warnings.map((warning) => `${warning.code} ${warning.line}`)).toEqual(['BYTE_ORDER_MARK 1']);
  });

  const conflicted = lockfileWith(['rack (2.2.8)']).replace('    rack', '<<<<<<< HEAD\n    rack');
  const utf16 = Buffer.from(`\uFEFF${lockfileWith(['rack (2.2.8)'])}`, 'utf16le');
  it.each([
    ['a missing file', null, 'LOCKFILE_NOT_FOUND', undefined],
    ['a folder', 'folder', 'LOCKFILE_NOT_FOUND', undefined],
    ['an empty file', '', 'LOCKFILE_EMPTY', 1],
    ['UTF-16 text', utf16, 'LOCKFILE_NOT_A_LOCKFILE', 1],
    ['merge conflicts', conflicted, 'LOCKFILE_CONFLICT', 4],
  ])('rejects %s with the file named', async (_name, content, code, line) => {
    const file = path.join(root, 'Gemfile.lock');
    if (content === 'folder') mkdirSync(file);
    else if (content !== null) writeFileSync(file, content);
    const error = await rejection(readLockfile(file));
    expect({ code: error.code, file: error.file, line: error.line }).toEqual({ code, file, line });
  });

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')(
    `rejects a file it may not read ${process.getuid?.() === 0 || process.platform === 'win32' ? '(skipped as root or on Windows; test/cli/permissions.test.ts runs the CLI as nobody)' : ''}`,
    async () => {
      const file = write('Gemfile.lock', lockfileWith(['rack (2.2.8)']));
      chmodSync(file, 0o000);
      const error = await rejection(readLockfile(file));
      expect({ code: error.code, file: error.file }).toEqual({ code: 'LOCKFILE_NOT_FOUND', file });
      expect(error.message).toContain('permission denied');
    },
  );
});
