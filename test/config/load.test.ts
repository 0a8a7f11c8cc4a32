import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { findRepositoryRoot, repositoryPaths } from '../../src/config/project.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';

let root: string;

beforeAll(() => {
  root = tempDir('gemleak-config-');
  writeTree(root, {
    // A repository with its config at the top, and a nested app folder.
    'repo/.gemleak.toml': 'format = "json"\n',
    'repo/apps/api/Gemfile.lock': '',
    // A repository whose config sits above its top: never used.
    'outer/.gemleak.toml': 'format = "sarif"\n',
    'outer/inner/apps/Gemfile.lock': '',
    // Outside any repository.
    'plain/.gemleak.toml': 'format = "markdown"\n',
    'plain/sub/Gemfile.lock': '',
    'bad/.gemleak.toml': 'max_age = "soon"\n',
  });
  mkdirSync(path.join(root, 'repo/.git'));
  writeFileSync(path.join(root, 'outer/inner/.git'), 'gitdir: ../../elsewhere\n');
  writeFileSync(path.join(root, 'bad/latin1.toml'), Buffer.from([0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0x3d, 0x22, 0xe9, 0x22, 0x0a]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findConfigFile: from the working directory up to the git root', () => {
  it('finds the repository-level file from a subfolder', async () => {
    expect(await findConfigFile(path.join(root, 'repo/apps/api'))).toBe(path.join(root, 'repo/.gemleak.toml'));
    expect(await findConfigFile(path.join(root, 'repo'))).toBe(path.join(root, 'repo/.gemleak.toml'));
  });

  it('never looks above the top of the repository (a .git file counts too)', async () => {
    expect(await findConfigFile(path.join(root, 'outer/inner/apps'))).toBeNull();
  });

  it('outside a repository, looks in the working directory only', async () => {
    expect(await findConfigFile(path.join(root, 'plain'))).toBe(path.join(root, 'plain/.gemleak.toml'));
    expect(await findConfigFile(path.join(root, 'plain/sub'))).toBeNull();
  });
});

describe('loadConfig', () => {
  it('names the file relative to the working directory', async () => {
    const config = await loadConfig({ cwd: path.join(root, 'repo/apps/api') });
    expect(config?.file).toBe(path.join('..', '..', '.gemleak.toml'));
    expect(config?.format).toBe('json');
  });

  it('--config reads the named file, --no-config none', async () => {
    expect((await loadConfig({ cwd: path.join(root, 'repo'), explicit: '../plain/.gemleak.toml' }))?.format).toBe('markdown');
    expect(await loadConfig({ cwd: path.join(root, 'repo'), explicit: false })).toBeNull();
  });

  it('fails when an explicitly named file is missing or is a folder', async () => {
    await expect(loadConfig({ cwd: root, explicit: 'nope.toml' })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', file: 'nope.toml', exitCode: 2 });
    await expect(loadConfig({ cwd: root, explicit: 'repo' })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', file: 'repo' });
  });

  it('reports a bad value with the file and line, and text that is not UTF-8', async () => {
    await expect(loadConfig({ cwd: path.join(root, 'bad') })).rejects.toMatchObject({ code: 'CONFIG_INVALID', file: '.gemleak.toml', line: 1 });
    await expect(loadConfig({ cwd: root, explicit: 'bad/latin1.toml' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'not UTF-8 text (TOML files are UTF-8)' });
  });
});

describe('repository paths (SARIF and annotation URIs)', () => {
  it('gives paths from the repository top with forward slashes, else from the working directory', async () => {
    expect(await findRepositoryRoot(path.join(root, 'repo/apps/api'))).toBe(path.join(root, 'repo'));
    const paths = await repositoryPaths(['Gemfile.lock', '../../../plain/sub/Gemfile.lock', 'missing.lock'], path.join(root, 'repo/apps/api'));
    expect(paths.get('Gemfile.lock')).toBe('apps/api/Gemfile.lock');
    expect(paths.get('missing.lock')).toBe('missing.lock');
    // Outside any repository: relative to the working directory, or as given when above it.
    expect(paths.get('../../../plain/sub/Gemfile.lock')).toBe('../../../plain/sub/Gemfile.lock');
  });
});
