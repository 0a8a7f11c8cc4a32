import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/fixtures.js';
import { repoRoot } from './helpers/paths.js';

/**
 * What `npm pack` ships: exactly what an entry point reaches, plus the documents and data read by
 * path; nothing copied twice; no test artifacts; no `prepare` script in the tarball.
 */

interface PackageJson {
  bin: Record<string, string>;
  exports: Record<string, { types?: string; default?: string } | string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  license: string;
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

function npm(args: string[], cwd: string) {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }, timeout: 120_000 });
  if (run.error) throw run.error;
  return run;
}

/** The tarball's file list, from npm itself; scripts off so dist/ stays as the test build left it. */
function packedFiles(): string[] {
  const run = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repoRoot);
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path).sort();
}

/** Relative references a compiled file makes: imports, re-exports, dynamic imports, requires, `new URL(...)` (a worker). */
const REFERENCE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\(\s*|new URL\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** Every file reachable from the entry points, following relative references (and .d.ts beside .js for types). */
function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = path.posix.normalize(pending.pop()!);
    if (seen.has(file)) continue;
    expect(existsSync(path.join(repoRoot, file)), `${file} is referenced but missing`).toBe(true);
    seen.add(file);
    for (const [, specifier] of readFileSync(path.join(repoRoot, file), 'utf8').matchAll(REFERENCE)) {
      const target = path.posix.join(path.posix.dirname(file), specifier!);
      pending.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
    }
  }
  return seen;
}

function filesBelow(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.posix.join(path.relative(repoRoot, entry.parentPath).split(path.sep).join('/'), entry.name));
}

describe('the package', () => {
  const files = packedFiles();

  it('ships exactly what its entry points reach, the data read by path, and the documents', () => {
    const exported = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default]));
    // bin/load-cli.js loads the CLI bundle by path (through node:vm).
    const entries = [...Object.values(manifest.bin), 'dist/bin/main.cjs', ...exported.filter((file): file is string => file?.startsWith('./dist/') === true)].map((file) => file.replace(/^\.\//, ''));
    const expected = new Set([
      ...reachable(entries),
      // Read by path, not imported: the bundled database (and its prebuilt index), the JSON Schema of --format json.
      'dist/bundled-index.json',
      // Spawned by path (src/advisories/sync.ts): runs git so that it dies with a killed update.
      'bin/git-guard.mjs',
      // Read by path: the bundle's code cache, and the folder's module type (bin/ is CommonJS).
      'dist/bin/main.cjs.cache',
      'bin/package.json',
      ...filesBelow('advisories'),
      ...filesBelow('schemas'),
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
    ]);
    expect(files.length).toBeGreaterThan(100);
    expect(
      files.filter((file) => !expected.has(file)),
      'shipped but reached by nothing',
    ).toEqual([]);
    expect([...expected].filter((file) => !files.includes(file)).sort(), 'reached but not shipped').toEqual([]);
  });

  it('ships no test artifacts, sources, maps or tarballs', () => {
    expect(files.filter((file) => /^(test|src|bench|scripts|docs|examples|node_modules)\//.test(file) || /\.(map|tgz|ts)$/.test(file.replace(/\.d\.ts$/, '')) || file.endsWith('inputs.json'))).toEqual(
      [],
    );
  });

  it('copies no library twice: what dist/bin inlines is a devDependency, what is installed stays external', () => {
    const inputs = JSON.parse(readFileSync(path.join(repoRoot, 'dist', 'bin', 'inputs.json'), 'utf8')) as Record<string, string[]>;
    const inlined = new Set(
      Object.values(inputs)
        .flat()
        .flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []),
    );
    expect([...inlined]).toEqual(['commander']);
    expect(Object.keys(manifest.dependencies).filter((name) => inlined.has(name))).toEqual([]);
    expect([...inlined].filter((name) => !(name in manifest.devDependencies))).toEqual([]);
    // The dependencies the bundle leaves external are imported by name from it, so they are installed.
    const bundled = readdirSync(path.join(repoRoot, 'dist', 'bin'))
      .filter((file) => /\.c?js$/.test(file))
      .map((file) => readFileSync(path.join(repoRoot, 'dist', 'bin', file), 'utf8'))
      .join('\n');
    for (const name of Object.keys(manifest.dependencies)) expect(bundled, name).toMatch(new RegExp(`(?:from|import\\(|require\\()\\s*"${name}"`));
  });

  it('has a license file matching package.json, and says where it lives', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the gemleak authors\n/);
    expect(manifest.repository.url).toBe('git+https://github.com/gemleak/gemleak.git');
    expect(manifest.homepage).toBe('https://github.com/gemleak/gemleak#readme');
    expect(manifest.bugs.url).toBe('https://github.com/gemleak/gemleak/issues');
    expect(readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8')).toMatch(/\n## Unreleased\n[\s\S]*\n## 0\.1\.0\n/);
  });
});

describe('the tarball, installed', () => {
  const root = tempDir('gemleak-pack-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prepack takes the prepare script out of the tarball and postpack puts package.json back byte for byte', () => {
    const dir = path.join(root, 'manifest');
    mkdirSync(dir);
    copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
    const script = path.join(repoRoot, 'scripts', 'pack-manifest.mjs');
    expect(spawnSync(process.execPath, [script, 'strip'], { cwd: dir }).status).toBe(0);
    const stripped = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    expect(stripped.scripts.prepare).toBeUndefined();
    expect({ ...stripped, scripts: { ...stripped.scripts, prepare: manifest.scripts.prepare } }).toEqual(manifest);
    expect(spawnSync(process.execPath, [script, 'restore'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(manifest.scripts.prepack).toContain('pack-manifest.mjs strip');
    expect(manifest.scripts.postpack).toBe('node scripts/pack-manifest.mjs restore');
  });

  it('installs quietly into another project, and its CLI and library work there', () => {
    // The tarball as `npm pack` makes it, from a copy of what it ships (the repository's own pack
    // would rebuild dist/ under the other tests' feet): package.json through the prepack step.
    const staging = path.join(root, 'staging');
    for (const file of packedFiles()) {
      mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
      copyFileSync(path.join(repoRoot, file), path.join(staging, file));
    }
    expect(spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'pack-manifest.mjs'), 'strip'], { cwd: staging }).status).toBe(0);
    rmSync(path.join(staging, 'node_modules'), { recursive: true, force: true });
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', root], staging);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = path.join(root, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);

    const app = path.join(root, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "type": "module", "private": true }\n');
    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).toBe('');
    expect(readdirSync(path.join(app, 'node_modules')).sort()).not.toContain('commander');

    const cli = spawnSync(path.join(app, 'node_modules', '.bin', 'gemleak'), ['check', path.join(repoRoot, 'examples', 'Gemfile.lock')], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: root },
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/\d+ known leaks in \d+ gem versions/);
    const library = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('gemleak'); const db = await m.loadAdvisoryDatabase(m.BUNDLED_DATABASE_ROOT); console.log(db.advisories.length)"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(library.stderr).toBe('');
    expect(Number(library.stdout.trim())).toBeGreaterThan(40);
  }, 180_000);
});

describe("the README's pre-commit snippet", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const snippet = /```yaml\nrepos:\n {2}- repo: (\S+)\n {4}rev: (\S+)/.exec(readme);
  const git = (args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  const shallow = git(['rev-parse', '--is-shallow-repository']).stdout.trim() !== 'false';

  it('points at the repository package.json names', () => {
    expect(snippet?.[1]).toBe(manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''));
  });

  it.skipIf(shallow)(`names a commit of this repository's history that has the hook definition ${shallow ? '(skipped: a shallow clone or no git history)' : ''}`, () => {
    const rev = snippet?.[2] ?? '';
    expect(rev).toMatch(/^[0-9a-f]{40}$/);
    expect(git(['cat-file', '-t', rev]).stdout.trim()).toBe('commit');
    expect(git(['merge-base', '--is-ancestor', rev, 'HEAD']).status).toBe(0);
    expect(git(['show', `${rev}:.pre-commit-hooks.yaml`]).stdout).toContain('- id: gemleak');
  });
});
