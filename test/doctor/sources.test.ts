import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/doctor/dockerfile.js';
import { appJsonFacts, composeFacts, kamalFacts, dockerfileFacts, entrypointFacts, flyTomlFacts, isMuslImage, kubernetesFacts, procfileFacts } from '../../src/doctor/sources.js';
import { gcTuningFindings, gcValue } from '../../src/doctor/gc-tuning.js';
import { judgeDeployment } from '../../src/doctor/rules.js';
import type { DeploymentFacts, EnvSetting } from '../../src/doctor/types.js';

describe('Dockerfile model', () => {
  it('stages, names, parents and the stages the final image runs', () => {
    const model = parseDockerfile('ARG BASE=ruby:3.3\nFROM $BASE AS base\nENV A=1\nFROM base AS build\nRUN make\nFROM node:20 AS assets\nFROM base\nCOPY --from=build /a /a\n');
    expect(model.stages.map((s) => `${s.index}:${s.name}:${s.from}:${s.parent}`)).toEqual(['0:base:ruby:3.3:null', '1:build:base:0', '2:assets:node:20:null', '3:null:base:0']);
    expect([...model.runningStages].sort()).toEqual([0, 3]);
  });

  it('continuations, comments inside them, heredocs, and the physical line of each ENV pair', () => {
    const text = [
      'FROM ruby:3.3-slim',
      'ENV A="one two" \\',
      '    # a comment line inside',
      '    B=2 \\',
      '    LD_PRELOAD=/usr/local/lib/libjemalloc.so',
      'RUN <<EOF',
      'ENV NOT_AN_INSTRUCTION=1',
      'EOF',
      'ENV LEGACY value with spaces',
    ].join('\n');
    const facts = dockerfileFacts(text, 'Dockerfile');
    expect(facts.env.map((e) => `${e.name}=${e.value}@${e.line}`)).toEqual(['LD_PRELOAD=/usr/local/lib/libjemalloc.so@5']);
    const model = parseDockerfile(text);
    expect(model.stages[0]!.instructions.map((i) => `${i.keyword}@${i.line}`)).toEqual(['ENV@2', 'RUN@6', 'ENV@9']);
  });
});

type Reader = (text: string, file: string) => ReturnType<typeof procfileFacts>;
const summarise = (facts: ReturnType<typeof procfileFacts>) => [
  ...facts.jemalloc.map((j) => `jemalloc ${j.how}${j.conditional ? ' (conditional)' : ''}${j.runs ? '' : ' (not run)'} @${j.line}`),
  ...facts.env.map((e) => `env ${e.name}=${e.value}${e.runs ? '' : ' (not run)'} @${e.line}`),
  ...facts.yjit.map((y) => `yjit @${y.line}`),
  ...facts.images.map((i) => `image ${i.image}${i.musl ? ' musl' : ''}${i.runs ? '' : ' (not run)'} @${i.line}`),
];

const ROWS: { name: string; reader: Reader; text: string; expected: string[] }[] = [
  {
    name: 'Dockerfile: apt-get libjemalloc2, ENV in a build stage only',
    reader: dockerfileFacts,
    text: 'FROM ruby:3.3.5-slim AS build\nENV MALLOC_ARENA_MAX=2\nFROM ruby:3.3.5-slim\nRUN apt-get update && \\\n  apt-get install -y libjemalloc2\nCMD ["ruby", "--yjit", "app.rb"]\n',
    expected: ['jemalloc installed @5', 'env MALLOC_ARENA_MAX=2 (not run) @2', 'yjit @6', 'image ruby:3.3.5-slim (not run) @1', 'image ruby:3.3.5-slim @3'],
  },
  {
    name: 'Dockerfile: fullstaq-ruby jemalloc image is linked',
    reader: dockerfileFacts,
    text: 'FROM quay.io/evl.ms/fullstaq-ruby:3.3.5-jemalloc-bookworm-slim\n',
    expected: ['jemalloc linked @1', 'image quay.io/evl.ms/fullstaq-ruby:3.3.5-jemalloc-bookworm-slim @1'],
  },
  {
    name: 'Dockerfile: Alpine, apk add jemalloc, RUBY_GC tuning',
    reader: dockerfileFacts,
    text: 'FROM ruby:3.2-alpine\nRUN apk add --no-cache jemalloc\nENV RUBY_GC_MALLOC_LIMIT=64000000\n',
    expected: ['jemalloc installed @2', 'env RUBY_GC_MALLOC_LIMIT=64000000 @3', 'image ruby:3.2-alpine musl @1'],
  },
  {
    name: 'entrypoint: the Rails 7.1 conditional preload',
    reader: entrypointFacts,
    text: '#!/bin/bash -e\n\n# Enable jemalloc for reduced memory usage and latency.\nif [ -z "${LD_PRELOAD+x}" ] && [ -f /usr/lib/*/libjemalloc.so.2 ]; then\n  export LD_PRELOAD="$(echo /usr/lib/*/libjemalloc.so.2)"\nfi\nexport MALLOC_ARENA_MAX=2\n',
    expected: ['jemalloc preload (conditional) @5', 'env LD_PRELOAD=$(echo /usr/lib/*/libjemalloc.so.2) @5', 'env MALLOC_ARENA_MAX=2 @7'],
  },
  {
    name: 'Procfile: jemalloc.sh, inline variables, --yjit',
    reader: procfileFacts,
    text: 'web: jemalloc.sh bundle exec puma -C config/puma.rb\nworker: MALLOC_ARENA_MAX=2 RUBY_YJIT_ENABLE=1 bundle exec sidekiq\nclock: ruby --yjit clock.rb\n',
    expected: ['jemalloc preload @1', 'env MALLOC_ARENA_MAX=2 @2', 'env RUBY_YJIT_ENABLE=1 @2', 'yjit @2', 'yjit @3'],
  },
  {
    name: 'app.json: buildpack and JEMALLOC_ENABLED',
    reader: appJsonFacts,
    text: '{\n  "buildpacks": ["https://github.com/gaffneyc/heroku-buildpack-jemalloc"],\n  "env": {\n    "JEMALLOC_ENABLED": "true"\n  }\n}\n',
    expected: ['jemalloc buildpack @2', 'jemalloc preload @4', 'env JEMALLOC_ENABLED=true @4'],
  },
  {
    name: 'fly.toml: [env] with a quoted key',
    reader: flyTomlFacts,
    text: 'app = "x"\n\n[env]\n  "MALLOC_CONF" = "narenas:2"\n  LD_PRELOAD = "/usr/local/lib/libjemalloc.so"\n',
    expected: ['jemalloc preload @5', 'env MALLOC_CONF=narenas:2 @4', 'env LD_PRELOAD=/usr/local/lib/libjemalloc.so @5'],
  },
  {
    name: 'compose: list environment, alpine image',
    reader: composeFacts,
    text: 'services:\n  web:\n    image: ruby:3.3-alpine\n    environment:\n      - MALLOC_ARENA_MAX=2\n      - OTHER=1\n',
    expected: ['env MALLOC_ARENA_MAX=2 @5', 'image ruby:3.3-alpine musl @3'],
  },
  {
    name: 'Kamal config/deploy.yml: env.clear and a role env map',
    reader: kamalFacts,
    text: 'service: shop\nservers:\n  web:\n    hosts: [1.2.3.4]\n  job:\n    cmd: bin/jobs\n    env:\n      RUBY_GC_HEAP_GROWTH_FACTOR: "2.5"\nenv:\n  clear:\n    MALLOC_ARENA_MAX: 2\n  secret:\n    - RAILS_MASTER_KEY\n',
    expected: ['env MALLOC_ARENA_MAX=2 @11', 'env RUBY_GC_HEAP_GROWTH_FACTOR=2.5 @8'],
  },
  {
    name: 'Kubernetes CronJob: containers run, initContainers env does not',
    reader: kubernetesFacts,
    text: 'apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: migrate\n              image: app\n              env:\n                - name: MALLOC_ARENA_MAX\n                  value: "4"\n          containers:\n            - name: job\n              image: app:1\n              env:\n                - name: RUBY_YJIT_ENABLE\n                  value: "1"\n',
    expected: ['env MALLOC_ARENA_MAX=4 (not run) @12', 'env RUBY_YJIT_ENABLE=1 @18', 'yjit @18', 'image app:1 @16'],
  },
];

describe('deployment file readers', () => {
  it.each(ROWS)('$name', ({ reader, text, expected }) => {
    expect(summarise(reader(text, 'F'))).toEqual(expected);
  });

  it.each([
    ['ruby:3.3-alpine', true],
    ['ruby:3.3.0-alpine3.19', true],
    ['alpine:3.20', true],
    ['docker.io/library/alpine', true],
    ['ruby:3.3-slim', false],
    ['ghcr.io/acme/alpinestore:1', false],
  ] as const)('isMuslImage(%s) = %s', (image, musl) => {
    expect(isMuslImage(image)).toBe(musl);
  });
});

describe('RUBY_GC_* tuning', () => {
  const setting = (name: string, value: string): EnvSetting => ({ name, value, file: 'fly.toml', line: 7, context: '[env]', runs: true });
  it.each([
    ['RUBY_GC_MALLOC_LIMIT', '16777216', false],
    ['RUBY_GC_MALLOC_LIMIT', '16777217', true],
    ['RUBY_GC_MALLOC_LIMIT_MAX', '64m', true],
    ['RUBY_GC_MALLOC_LIMIT_MAX', '32m', false],
    ['RUBY_GC_OLDMALLOC_LIMIT_MAX', '1g', true],
    ['RUBY_GC_HEAP_GROWTH_FACTOR', '1.1', false],
    ['RUBY_GC_HEAP_GROWTH_FACTOR', '2.0', true],
    ['RUBY_GC_HEAP_GROWTH_MAX_SLOTS', '300000', false],
    ['RUBY_GC_MALLOC_LIMIT', 'lots', false],
  ] as const)('%s=%s raises a limit: %s', (name, value, raised) => {
    const findings = gcTuningFindings([setting(name, value)]);
    expect(findings.length).toBe(raised ? 1 : 0);
    if (raised) expect(findings[0]).toMatchObject({ rule: 'growth/gc-limit-raised', severity: 'low', file: 'fly.toml', line: 7 });
  });

  it('reads k/m/g suffixes as gc.c does', () => {
    expect([gcValue('16k'), gcValue('2M'), gcValue('1g'), gcValue('1.8'), gcValue('x')]).toEqual([16384, 2097152, 1073741824, 1.8, null]);
  });
});

function facts(partial: Partial<DeploymentFacts>): DeploymentFacts {
  return { files: [], env: [], jemalloc: [], images: [], finalStages: [], yjit: [], restarters: [], heroku: null, fly: null, warnings: [], ...partial };
}

describe('judgement edge cases', () => {
  const dockerfile = { file: 'Dockerfile', relative: 'Dockerfile', kind: 'dockerfile' as const };
  const stage = { file: 'Dockerfile', line: 1, baseLine: 1, debianLike: true, railsTemplate: false };

  it('an LD_PRELOAD in the Dockerfile with no jemalloc installed does not count as jemalloc', () => {
    const judged = judgeDeployment(
      facts({
        files: [dockerfile],
        finalStages: [stage],
        jemalloc: [{ how: 'preload', file: 'Dockerfile', line: 3, text: 'LD_PRELOAD=/usr/local/lib/libjemalloc.so', runs: true, conditional: false }],
      }),
      null,
    );
    expect(judged.allocator).toBe('glibc');
    expect(judged.findings.map((f) => `${f.severity} ${f.rule} ${f.line}`)).toEqual(['medium allocator/preload-without-library 3', 'high allocator/glibc-untuned 1']);
  });

  it('installed but never preloaded', () => {
    const judged = judgeDeployment(facts({ files: [dockerfile], finalStages: [stage], jemalloc: [{ how: 'installed', file: 'Dockerfile', line: 4, text: '', runs: true, conditional: false }] }), null);
    expect(judged.findings.map((f) => `${f.severity} ${f.rule} ${f.line}`)).toEqual(['high allocator/glibc-untuned 1', 'medium allocator/jemalloc-not-preloaded 4']);
  });

  it('a jemalloc buildpack that is not enabled', () => {
    const judged = judgeDeployment(
      facts({
        files: [{ file: 'app.json', relative: 'app.json', kind: 'app.json' }],
        heroku: { file: 'app.json', line: 1, text: '' },
        jemalloc: [{ how: 'buildpack', file: 'app.json', line: 3, text: '', runs: true, conditional: false }],
      }),
      null,
    );
    expect(judged.allocator).toBe('heroku-unknown');
    expect(judged.findings.map((f) => f.rule)).toEqual(['allocator/buildpack-not-enabled', 'allocator/heroku-arena-default']);
  });

  it('MALLOC_ARENA_MAX that is not a number', () => {
    const judged = judgeDeployment(
      facts({ files: [dockerfile], finalStages: [stage], env: [{ name: 'MALLOC_ARENA_MAX', value: 'two', file: 'Dockerfile', line: 2, context: 'stage 1', runs: true }] }),
      null,
    );
    expect(judged.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['medium allocator/arena-max-invalid']);
  });

  it('Ruby version sources that disagree', () => {
    const source = (kind: 'lockfile' | 'dockerfile', file: string, version: string) => ({
      kind,
      file,
      line: 2,
      raw: version,
      engine: 'ruby',
      version,
      engineVersion: null,
      requirement: null,
      patchlevel: null,
    });
    const lock = source('lockfile', 'Gemfile.lock', '3.3.1');
    const judged = judgeDeployment(facts({}), { chosen: lock, sources: [lock, source('dockerfile', 'Dockerfile', '3.3.0')], warnings: [] });
    const disagree = judged.findings.find((f) => f.rule === 'interpreter/versions-disagree')!;
    expect(disagree).toMatchObject({ severity: 'low', file: 'Dockerfile', line: 2, fix: 'ARG RUBY_VERSION=3.3.1' });
  });
});
