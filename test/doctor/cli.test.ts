import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { hasSarifSchema, sarifValidator } from '../report/sample.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'doctor');
const SKIP_NO_SARIF = '(skipped: ../shared/schemas/sarif-schema-2.1.0.json is absent)';

async function doctorValidator() {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'doctor-result.schema.json'), 'utf8'));
  const Ajv2020 = (await import('ajv/dist/2020.js')).default.default;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(schema);
}

function tempApp(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gemleak-doctor-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('gemleak doctor: exit codes and --fail-on', () => {
  it.each([
    // [app, --fail-on, exit]: multistage has high+medium, heroku-jemalloc medium+low, fly-arena only low, kubernetes only low.
    ['multistage', undefined, 1],
    ['multistage', 'high', 1],
    ['heroku-jemalloc', 'high', 0],
    ['heroku-jemalloc', 'medium', 1],
    ['fly-arena', 'medium', 0],
    ['fly-arena', 'low', 1],
    ['fly-arena', 'none', 0],
    // no-deploy locks Ruby 3.3.0: the bundled interpreter advisories flag it (medium and low).
    ['no-deploy', undefined, 1],
    ['no-deploy', 'high', 0],
    ['no-deploy', 'none', 0],
  ] as const)('%s --fail-on %s → %i', (app, failOn, exit) => {
    const run = runCli(['doctor', app, ...(failOn === undefined ? [] : ['--fail-on', failOn])], { cwd: fixtures });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(exit);
  });

  it('the text report starts with the overall answer', () => {
    const run = runCli(['doctor', 'rails-pre-jemalloc'], { cwd: fixtures });
    expect(run.stdout.split('\n')[0]).toBe('✖ glibc malloc without MALLOC_ARENA_MAX: expect fragmentation growth');
    expect(run.stdout).toContain('HIGH no jemalloc and no MALLOC_ARENA_MAX');
    expect(run.stdout).toContain('rails-pre-jemalloc/Dockerfile:5');
    expect(run.stdout).toContain('    ENV LD_PRELOAD="/usr/local/lib/libjemalloc.so"');
    // Ruby 3.2.2 is also flagged by interpreter advisories, whose number grows with the database.
    expect(run.stdout).toMatch(/\n\d+ findings need action \(1 high, \d+ medium, \d+ low\) · 3 files scanned in rails-pre-jemalloc · \d+ interpreter advisories checked\n$/);
  });

  it('defaults to the current folder', () => {
    const run = runCli(['doctor', '--format', 'json'], { cwd: path.join(fixtures, 'alpine-jemalloc') });
    expect(JSON.parse(run.stdout).verdict.allocator).toBe('jemalloc-musl');
  });

  it.each([
    [['doctor', 'no/such/folder'], 'gemleak: no/such/folder: no such folder\n'],
    [['doctor', 'multistage/Dockerfile'], 'gemleak: multistage/Dockerfile: not a folder: gemleak doctor scans an app folder (its Dockerfile, Procfile, fly.toml, …)\n'],
  ])('bad input %j: one line, exit 2', (args, stderr) => {
    const run = runCli(args, { cwd: fixtures });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(stderr);
    expect(run.stdout).toBe('');
  });

  it('rejects an unknown --fail-on level and format', () => {
    expect(runCli(['doctor', '--fail-on', 'error'], { cwd: fixtures }).status).toBe(2);
    expect(runCli(['doctor', '--format', 'junit'], { cwd: fixtures }).status).toBe(2);
  });

  it('--help shows an example and the exit codes', () => {
    const run = runCli(['doctor', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('$ gemleak doctor --pid');
    expect(run.stdout).toContain('Exit codes: 0 nothing needs action');
  });

  it('--output writes the report to a file', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'gemleak-doctor-out-')), 'doctor.json');
    const run = runCli(['doctor', 'compose', '--format', 'json', '--output', out], { cwd: fixtures });
    expect(run.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).verdict.allocator).toBe('glibc-capped');
  });
});

describe('gemleak doctor: interpreter advisories', () => {
  it('the bundled ones are checked: Ruby 3.3.0 with the YJIT initializer gets ruby-20209 (high) once, at the lockfile line, and one upgrade that clears all', () => {
    const report = JSON.parse(runCli(['doctor', 'rails-jemalloc', '--format', 'json'], { cwd: fixtures }).stdout);
    expect(report.summary.interpreter_advisories).toBeGreaterThanOrEqual(10);
    const yjit = report.findings.filter((f: { rule: string }) => f.rule === 'interpreter/ruby-20209' || f.rule === 'growth/yjit-ruby-3.3.0');
    expect(yjit).toHaveLength(1);
    expect(yjit[0]).toMatchObject({ rule: 'interpreter/ruby-20209', severity: 'high', file: 'rails-jemalloc/Gemfile.lock', line: 13 });
    expect(yjit[0].message).toContain('enabled at rails-jemalloc/config/initializers/enable_yjit.rb:5');
    const upgrade = report.findings.find((f: { rule: string }) => f.rule === 'interpreter/upgrade');
    expect(upgrade.message).toMatch(/^Ruby 3\.3\.\d+ or later fixes all \d+ interpreter leaks found in 3\.3\.0$/);
  });

  it('--database names exactly the database whose interpreter advisories are used', () => {
    const database = path.join(repoRoot, 'test', 'fixtures', 'advisory-db');
    const report = JSON.parse(runCli(['doctor', 'rails-jemalloc', '--format', 'json', '--database', database], { cwd: fixtures }).stdout);
    expect(
      report.findings
        .filter((f: { category: string; severity: string }) => f.category === 'interpreter' && f.severity !== 'info')
        .map((f: { rule: string; severity: string }) => `${f.severity} ${f.rule}`),
    ).toEqual(['high interpreter/ruby-90001', 'low interpreter/ruby-90002']);
  });

  it('without a database entry for it, the built-in YJIT check still reports Ruby 3.3.0 with YJIT at the line that enables it', () => {
    const database = path.join(repoRoot, 'test', 'fixtures', 'advisory-db');
    const report = JSON.parse(runCli(['doctor', 'rails-jemalloc', '--format', 'json', '--database', database], { cwd: fixtures }).stdout);
    expect(report.findings.find((f: { rule: string }) => f.rule === 'growth/yjit-ruby-3.3.0')).toMatchObject({ severity: 'high', file: 'rails-jemalloc/config/initializers/enable_yjit.rb', line: 5 });
  });
});

describe('gemleak doctor --format json: validated against schemas/doctor-result.schema.json', () => {
  it.each(['rails-pre-jemalloc', 'rails-jemalloc', 'heroku-jemalloc', 'heroku-plain', 'fly-arena', 'alpine-jemalloc', 'multistage', 'compose', 'kubernetes', 'no-deploy'])('%s', async (app) => {
    const validate = await doctorValidator();
    const report = JSON.parse(runCli(['doctor', app, '--format', 'json'], { cwd: fixtures }).stdout);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...report, schema_version: 2 })).toBe(false);
    const { summary, findings } = report;
    expect(summary.high + summary.medium + summary.low + summary.info).toBe(findings.length);
  });
});

describe.skipIf(!hasSarifSchema)(`gemleak doctor --format sarif ${hasSarifSchema ? '' : SKIP_NO_SARIF}`, () => {
  it('is valid SARIF 2.1.0 with each finding at its file and line, and levels from severities', async () => {
    const validate = await sarifValidator();
    const log = JSON.parse(runCli(['doctor', 'multistage', '--format', 'sarif'], { cwd: fixtures }).stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0].results.map((r: { ruleId: string; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => {
      const location = r.locations?.[0]?.physicalLocation;
      return `${r.level} ${r.ruleId} ${location?.artifactLocation.uri}:${location?.region?.startLine}`;
    });
    expect(results).toEqual([
      'error allocator/glibc-untuned test/fixtures/doctor/multistage/Dockerfile:8',
      'warning allocator/set-in-build-stage test/fixtures/doctor/multistage/Dockerfile:3',
      'none interpreter/version test/fixtures/doctor/multistage/Dockerfile:1',
    ]);
  });
});

describe('gemleak doctor --format markdown', () => {
  it('has the headline, a row per finding with its place, the fix as code', () => {
    const run = runCli(['doctor', 'alpine-jemalloc', '--format', 'markdown'], { cwd: fixtures });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^### :x: gemleak doctor: jemalloc on an Alpine\/musl image \(`?alpine-jemalloc\/Dockerfile:1`?\)/);
    expect(run.stdout).toContain('| :orange_circle: medium | `test/fixtures/doctor/alpine-jemalloc/Dockerfile:1` |');
    expect(run.stdout).toContain('`FROM ruby:<version>-slim`<br>');
  });
});

describe('gemleak doctor on hostile apps', () => {
  it('a Dockerfile symlinked out of the app is not followed; a FIFO compose file is refused without hanging', () => {
    const outside = tempApp({ Dockerfile: 'FROM ruby:3.3.0\nENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n' });
    const dir = tempApp({ Procfile: 'web: bundle exec puma\n' });
    symlinkSync(path.join(outside, 'Dockerfile'), path.join(dir, 'Dockerfile'));
    execFileSync('mkfifo', [path.join(dir, 'docker-compose.yml')]);
    const run = runCli(['doctor', '.', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(run.stdout);
    expect(report.verdict.allocator).toBe('heroku-unknown');
    expect(report.warnings).toEqual([
      { file: 'Dockerfile', line: null, message: 'is a symlink that leads out of the app folder; not followed' },
      { file: 'docker-compose.yml', line: null, message: 'is not a regular file (a FIFO, device or folder); refused' },
    ]);
  });

  it('a Helm template is named as such, the .devcontainer is not deployment, Kamal is read', () => {
    const dir = tempApp({
      'charts/app/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n',
      '.devcontainer/Dockerfile': 'FROM ghcr.io/rails/devcontainer/images/ruby:3.3.0\n',
      'config/deploy.yml': 'service: shop\nenv:\n  clear:\n    MALLOC_ARENA_MAX: 2\n',
    });
    const report = JSON.parse(runCli(['doctor', '.', '--format', 'json'], { cwd: dir }).stdout);
    expect(report.files).toEqual([{ path: 'config/deploy.yml', kind: 'kamal' }]);
    expect(report.verdict.headline).toBe('glibc malloc with MALLOC_ARENA_MAX=2 (config/deploy.yml:4): fragmentation is capped; jemalloc usually does better');
    expect(report.warnings.map((w: { file: string; message: string }) => `${w.file}: ${w.message.split(',')[0]}`)).toEqual(['charts/app/templates/deployment.yaml: a template (it has {{ }})']);
  });

  it('control characters from the app never reach the terminal', () => {
    const dir = tempApp({ 'fly.toml': '[env]\n  MALLOC_ARENA_MAX = "2\\u001b[2J\\u001b]0;pwned\\u0007"\n', Dockerfile: 'FROM ruby:3.3.0-slim\n' });
    const run = runCli(['doctor', '.'], { cwd: dir });
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(run.stdout).toContain('MALLOC_ARENA_MAX=2\\e[2J\\e]0;pwned\\x07');
  });

  it('malformed app.json and Kubernetes YAML are warnings with the file, not crashes', () => {
    const dir = tempApp({ 'app.json': '{ "env": ', 'k8s/web.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec: [\n' });
    const run = runCli(['doctor', '.', '--format', 'json'], { cwd: dir });
    expect(run.status).toBe(1);
    const warnings = JSON.parse(run.stdout).warnings.map((w: { file: string; message: string }) => `${w.file}: ${w.message.split(' (')[0]}`);
    expect(warnings).toEqual(['app.json: not valid JSON, skipped', 'k8s/web.yaml: not valid YAML, skipped']);
  });

  it('a copied fixture outside the repository gives the same answer (no dependence on the checkout)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gemleak-doctor-copy-'));
    cpSync(path.join(fixtures, 'rails-jemalloc'), dir, { recursive: true });
    const report = JSON.parse(runCli(['doctor', '.', '--format', 'json'], { cwd: dir }).stdout);
    expect(report.verdict.allocator).toBe('jemalloc');
  });
});
