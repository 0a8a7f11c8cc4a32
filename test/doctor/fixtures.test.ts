import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { DOCKERFILE_JEMALLOC } from '../../src/doctor/fixes.js';
import { repoRoot } from '../helpers/paths.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'doctor');

/** Each fixture app: the overall answer, and every finding that is not a plain fact, with its line. */
const CASES: { app: string; allocator: string; findings: string[]; facts: string[]; ruby: string | null }[] = [
  {
    app: 'rails-pre-jemalloc',
    allocator: 'glibc',
    // The Rails 7.1 Dockerfile: the fix goes in the `base` stage the final `FROM base` builds on.
    findings: ['high allocator/glibc-untuned Dockerfile:5'],
    facts: ['interpreter/version Gemfile.lock:15'],
    ruby: '3.2.2',
  },
  {
    app: 'rails-jemalloc',
    allocator: 'jemalloc',
    findings: ['high growth/yjit-ruby-3.3.0 config/initializers/enable_yjit.rb:5'],
    facts: ['allocator/jemalloc Dockerfile:21', 'interpreter/version Gemfile.lock:13'],
    ruby: '3.3.0',
  },
  {
    app: 'heroku-jemalloc',
    allocator: 'jemalloc',
    findings: ['medium growth/restarter Gemfile.lock:8', 'low allocator/arena-max-ignored app.json:9'],
    facts: ['allocator/jemalloc Procfile:1', 'interpreter/version .tool-versions:1'],
    ruby: '3.2.4',
  },
  {
    app: 'heroku-plain',
    allocator: 'heroku-unknown',
    findings: ['medium allocator/heroku-arena-default Procfile:1'],
    facts: ['interpreter/version Gemfile:3'],
    ruby: '3.3.1',
  },
  {
    app: 'fly-arena',
    allocator: 'glibc-capped',
    findings: ['low growth/gc-limit-raised fly.toml:9'],
    facts: ['allocator/arena-max fly.toml:8', 'interpreter/version mise.toml:6'],
    ruby: '3.3.5',
  },
  {
    app: 'alpine-jemalloc',
    allocator: 'jemalloc-musl',
    findings: ['medium allocator/jemalloc-on-musl Dockerfile:1', 'low allocator/arena-max-ignored Dockerfile:4'],
    facts: ['interpreter/version Dockerfile:1'],
    ruby: '3.3.4',
  },
  {
    app: 'multistage',
    allocator: 'glibc',
    // MALLOC_ARENA_MAX is set in the `build` stage (line 3), which the final image (line 8) does not build on.
    findings: ['high allocator/glibc-untuned Dockerfile:8', 'medium allocator/set-in-build-stage Dockerfile:3'],
    facts: ['interpreter/version Dockerfile:1'],
    ruby: '3.3.5',
  },
  {
    app: 'compose',
    allocator: 'glibc-capped',
    findings: ['low allocator/malloc-conf-without-jemalloc docker-compose.yml:8'],
    facts: ['allocator/arena-max docker-compose.yml:7', 'interpreter/version-unknown -'],
    ruby: null,
  },
  {
    app: 'kubernetes',
    allocator: 'jemalloc',
    findings: ['low allocator/arena-max-ignored k8s/deployment.yaml:25'],
    facts: ['allocator/jemalloc k8s/deployment.yaml:23', 'interpreter/version-unknown -'],
    ruby: null,
  },
  {
    app: 'no-deploy',
    allocator: 'unknown',
    findings: [],
    facts: ['allocator/unknown -', 'interpreter/version Gemfile.lock:13'],
    ruby: '3.3.0',
  },
];

function where(file: string | null, line: number | null, app: string): string {
  return file === null ? '-' : `${path.relative(app, file)}:${line}`;
}

describe('gemleak doctor on the fixture apps', () => {
  it.each(CASES)('$app: $allocator', ({ app, allocator, findings, facts, ruby }) => {
    const result = runDoctor({ dir: app, cwd: fixtures });
    expect(result.verdict.allocator).toBe(allocator);
    const actionable = result.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.rule} ${where(f.file, f.line, app)}`);
    expect(actionable).toEqual(findings);
    const stated = result.findings.filter((f) => f.severity === 'info').map((f) => `${f.rule} ${where(f.file, f.line, app)}`);
    expect(stated.sort()).toEqual([...facts].sort());
    expect(result.ruby?.chosen?.version ?? null).toBe(ruby);
    expect(result.warnings).toEqual([]);
    // Every finding that needs action says what to paste.
    for (const finding of result.findings.filter((f) => f.severity === 'high' || f.severity === 'medium')) expect(finding.fix, finding.rule).not.toBeNull();
  });

  it('the untuned Rails Dockerfile is named as generated before the jemalloc template, with the template lines as the fix', () => {
    const result = runDoctor({ dir: 'rails-pre-jemalloc', cwd: fixtures });
    const untuned = result.findings.find((f) => f.rule === 'allocator/glibc-untuned')!;
    expect(untuned.message).toContain('Rails-generated Dockerfile from before the jemalloc template');
    expect(untuned.fix).toContain(DOCKERFILE_JEMALLOC);
    expect(untuned.fixWhere).toContain('the stage the final image builds on');
    expect(result.verdict.headline).toBe('glibc malloc without MALLOC_ARENA_MAX: expect fragmentation growth');
  });

  it('the multi-stage finding names the stage that sets the variable and the final FROM', () => {
    const result = runDoctor({ dir: 'multistage', cwd: fixtures });
    const unused = result.findings.find((f) => f.rule === 'allocator/set-in-build-stage')!;
    expect(unused.message).toBe('MALLOC_ARENA_MAX=2 is set in stage "build", which the final image does not build on (final stage: FROM at line 8): it never reaches the running app');
    expect(unused.fix).toBe('ENV MALLOC_ARENA_MAX="2"');
  });

  it('lists the files it read', () => {
    const result = runDoctor({ dir: 'rails-pre-jemalloc', cwd: fixtures });
    expect(result.filesScanned.map((f) => `${f.kind} ${f.relative}`).sort()).toEqual(['dockerfile Dockerfile', 'entrypoint bin/docker-entrypoint', 'lockfile Gemfile.lock']);
  });
});
