import type { RubyVersionDetection } from '../runtime/types.js';
import {
  ADD_LOCKED_RUBY,
  COMPOSE_ARENA_MAX,
  DOCKERFILE_ARENA_MAX,
  DOCKERFILE_JEMALLOC,
  DOCKERFILE_PRELOAD_ONLY,
  FLY_ARENA_MAX,
  HEROKU_ARENA_MAX,
  HEROKU_JEMALLOC,
  KAMAL_ARENA_MAX,
  KUBERNETES_ARENA_MAX,
} from './fixes.js';
import { gcTuningFindings } from './gc-tuning.js';
import { RESTARTER_GEMS } from './scan.js';
import type { AllocatorVerdict, DeploymentFacts, DoctorFinding, EnvSetting, JemallocEvidence } from './types.js';

/**
 * The judgement: deployment facts in, the overall allocator answer and the findings out. Pure.
 * The deployment files are read as one union (a fly.toml `[env]` adds to the Dockerfile's `ENV`,
 * a Kubernetes `env:` to the image's), which is how those platforms combine them.
 */

const URL_HEROKU_ARENA = 'https://devcenter.heroku.com/articles/tuning-glibc-memory-behavior';
const URL_ARENA_IGNORED = 'https://devcenter.heroku.com/changelog-items/1683';
const URL_RAILS_TEMPLATE = 'https://github.com/rails/rails/blob/main/railties/lib/rails/generators/rails/app/templates/Dockerfile.tt';
const URL_MUSL = 'https://www.mikeperham.com/2018/04/25/taming-rails-memory-bloat/';
const URL_YJIT_BUG = 'https://bugs.ruby-lang.org/issues/20209';
const URL_BUILDPACK = 'https://github.com/gaffneyc/heroku-buildpack-jemalloc';

export interface Judgement {
  allocator: AllocatorVerdict;
  headline: string;
  findings: DoctorFinding[];
}

function finding(partial: Omit<DoctorFinding, 'fixWhere' | 'url' | 'fix'> & Partial<Pick<DoctorFinding, 'fixWhere' | 'url' | 'fix'>>): DoctorFinding {
  return { fix: null, fixWhere: null, url: null, ...partial };
}

const at = (item: { file: string; line: number }) => `${item.file}:${item.line}`;

export function judgeDeployment(facts: DeploymentFacts, ruby: RubyVersionDetection | null): Judgement {
  const findings: DoctorFinding[] = [];
  const running = facts.env.filter((setting) => setting.runs);
  const arena = running.filter((setting) => setting.name === 'MALLOC_ARENA_MAX');
  const mallocConf = running.filter((setting) => setting.name === 'MALLOC_CONF');
  const deploymentFiles = facts.files.filter((file) => file.kind !== 'lockfile');
  const hasDockerfile = facts.finalStages.length > 0;
  const installed = facts.jemalloc.filter((item) => item.how === 'installed' && item.runs);
  const linked = facts.jemalloc.filter((item) => item.how === 'linked' && item.runs);
  const preloads = facts.jemalloc.filter((item) => item.how === 'preload' && item.runs);
  // A preload from the Dockerfile or its entrypoint needs the library in the image: a Dockerfile
  // that never installs it makes ld.so print "cannot be preloaded … ignored" and go on with glibc.
  const libraryPresent = installed.length > 0 || linked.length > 0 || !hasDockerfile;
  const fromImage = (item: JemallocEvidence) => facts.files.some((file) => file.file === item.file && (file.kind === 'dockerfile' || file.kind === 'entrypoint'));
  const unbacked = preloads.filter((item) => !libraryPresent && fromImage(item));
  const backed = preloads.filter((item) => !unbacked.includes(item));
  for (const item of unbacked) {
    findings.push(
      finding({
        rule: 'allocator/preload-without-library',
        category: 'allocator',
        severity: 'medium',
        file: item.file,
        line: item.line,
        message: item.conditional
          ? `preloads jemalloc only if libjemalloc.so.2 exists, but no Dockerfile's final stage installs it: glibc malloc runs`
          : `${item.text} names a library that no Dockerfile's final stage installs: the loader ignores it and glibc malloc runs`,
        fix: DOCKERFILE_JEMALLOC,
        fixWhere: `${facts.finalStages[0]!.file}, in the stage the final image builds on (FROM at line ${facts.finalStages[0]!.baseLine})`,
        url: URL_RAILS_TEMPLATE,
      }),
    );
  }
  const jemallocActive = linked.length > 0 || backed.length > 0;
  const jemallocWhere = [...backed, ...linked][0];
  const muslImages = facts.images.filter((image) => image.runs && image.musl);
  const onHerokuOnly = facts.heroku !== null && !hasDockerfile && facts.fly === null;
  const buildpacks = facts.jemalloc.filter((item) => item.how === 'buildpack');

  if (buildpacks.length > 0 && preloads.length === 0) {
    findings.push(
      finding({
        rule: 'allocator/buildpack-not-enabled',
        category: 'allocator',
        severity: 'medium',
        file: buildpacks[0]!.file,
        line: buildpacks[0]!.line,
        message: 'the jemalloc buildpack is installed but not enabled: it needs JEMALLOC_ENABLED=true or `jemalloc.sh` before the command in the Procfile',
        fix: 'heroku config:set JEMALLOC_ENABLED=true',
        url: URL_BUILDPACK,
      }),
    );
  }
  findings.push(...unusedStageFindings(facts, running));

  let allocator: AllocatorVerdict;
  let headline: string;
  if (deploymentFiles.length === 0) {
    allocator = 'unknown';
    headline = 'no deployment files found (Dockerfile, Procfile, fly.toml, compose, Kubernetes): the allocator is unknown; run `gemleak doctor --pid PID` where the app runs';
    findings.push(finding({ rule: 'allocator/unknown', category: 'allocator', severity: 'info', file: null, line: null, message: headline }));
  } else if (jemallocActive && muslImages.length > 0) {
    allocator = 'jemalloc-musl';
    headline = `jemalloc on an Alpine/musl image (${at(muslImages[0]!)}): known crashes and little gain there; prefer a Debian-based ruby:X-slim image`;
    findings.push(
      finding({
        rule: 'allocator/jemalloc-on-musl',
        category: 'allocator',
        severity: 'medium',
        file: muslImages[0]!.file,
        line: muslImages[0]!.line,
        message: `jemalloc with the musl C library of ${muslImages[0]!.image}: jemalloc has had segfaults and stack overflows on Alpine`,
        fix: `FROM ruby:<version>-slim\n${DOCKERFILE_JEMALLOC}`,
        fixWhere: 'replace the Alpine base image with the Debian-based slim one',
        url: URL_MUSL,
      }),
    );
  } else if (jemallocActive) {
    allocator = 'jemalloc';
    headline = `jemalloc is ${jemallocWhere!.how === 'linked' ? 'linked' : 'preloaded'} (${at(jemallocWhere!)}): glibc malloc fragmentation is ruled out as the cause of growth`;
    findings.push(finding({ rule: 'allocator/jemalloc', category: 'allocator', severity: 'info', file: jemallocWhere!.file, line: jemallocWhere!.line, message: `jemalloc: ${jemallocWhere!.text}` }));
  } else if (muslImages.length > 0) {
    allocator = 'musl';
    headline = `musl malloc (Alpine image ${muslImages[0]!.image}): MALLOC_ARENA_MAX does not apply; musl's allocator is slow for Ruby`;
    findings.push(
      finding({
        rule: 'allocator/musl',
        category: 'allocator',
        severity: 'low',
        file: muslImages[0]!.file,
        line: muslImages[0]!.line,
        message: `${muslImages[0]!.image} uses musl's malloc, not glibc's: MALLOC_ARENA_MAX has no effect there, and jemalloc is not recommended on musl`,
        fix: `FROM ruby:<version>-slim\n${DOCKERFILE_JEMALLOC}`,
        fixWhere: 'switch to the Debian-based slim image to use jemalloc',
        url: URL_MUSL,
      }),
    );
  } else if (arena.length > 0) {
    allocator = 'glibc-capped';
    headline = `glibc malloc with MALLOC_ARENA_MAX=${arena[0]!.value} (${at(arena[0]!)}): fragmentation is capped; jemalloc usually does better`;
  } else if (onHerokuOnly) {
    allocator = 'heroku-unknown';
    headline = 'Heroku app without jemalloc: MALLOC_ARENA_MAX=2 is set only for apps created after 2019-09-24; check `heroku config:get MALLOC_ARENA_MAX`';
    findings.push(
      finding({
        rule: 'allocator/heroku-arena-default',
        category: 'allocator',
        severity: 'medium',
        file: facts.heroku!.file,
        line: facts.heroku!.line,
        message: 'no jemalloc and no MALLOC_ARENA_MAX in the repository: Heroku sets MALLOC_ARENA_MAX=2 only for Ruby apps created after 2019-09-24, older apps run glibc malloc untuned',
        fix: `${HEROKU_ARENA_MAX}\n# or jemalloc:\n${HEROKU_JEMALLOC}`,
        fixWhere: 'run once against the app (heroku CLI)',
        url: URL_HEROKU_ARENA,
      }),
    );
  } else {
    allocator = 'glibc';
    headline = 'glibc malloc without MALLOC_ARENA_MAX: expect fragmentation growth';
    findings.push(untunedGlibc(facts, installed));
  }

  for (const setting of arena) findings.push(...arenaFindings(setting, allocator));
  for (const setting of mallocConf) {
    const underJemalloc = allocator === 'jemalloc' || allocator === 'jemalloc-musl';
    findings.push(
      finding({
        rule: underJemalloc ? 'allocator/malloc-conf' : 'allocator/malloc-conf-without-jemalloc',
        category: 'allocator',
        severity: underJemalloc ? 'info' : 'low',
        file: setting.file,
        line: setting.line,
        message: underJemalloc ? `MALLOC_CONF=${setting.value} tunes jemalloc` : `MALLOC_CONF=${setting.value} is read only by jemalloc, which does not run here: it has no effect`,
        ...(underJemalloc ? {} : { fix: DOCKERFILE_JEMALLOC, fixWhere: 'enable jemalloc, or delete the MALLOC_CONF line' }),
      }),
    );
  }
  if (!jemallocActive && installed.length > 0 && preloads.length === 0) {
    const item = installed[0]!;
    findings.push(
      finding({
        rule: 'allocator/jemalloc-not-preloaded',
        category: 'allocator',
        severity: 'medium',
        file: item.file,
        line: item.line,
        message: 'jemalloc is installed in the image but never preloaded (no LD_PRELOAD): Ruby still uses glibc malloc',
        fix: DOCKERFILE_PRELOAD_ONLY,
        fixWhere: `after line ${item.line}`,
        url: URL_RAILS_TEMPLATE,
      }),
    );
  }
  findings.push(...growthFindings(facts, ruby), ...gcTuningFindings(running), ...rubyVersionFindings(ruby));
  return { allocator, headline, findings };
}

/** The "none of these at all" finding, placed where the fix goes. */
function untunedGlibc(facts: DeploymentFacts, installed: JemallocEvidence[]): DoctorFinding {
  const message = 'no jemalloc and no MALLOC_ARENA_MAX: glibc malloc creates up to 8 arenas per core and fragments, which looks like a leak';
  const stage = facts.finalStages[0];
  if (stage !== undefined) {
    const rails = stage.railsTemplate ? ' (a Rails-generated Dockerfile from before the jemalloc template)' : '';
    return finding({
      rule: 'allocator/glibc-untuned',
      category: 'allocator',
      severity: 'high',
      file: stage.file,
      line: stage.baseLine,
      message: `${message}${rails}`,
      fix: installed.length > 0 ? DOCKERFILE_PRELOAD_ONLY : `${DOCKERFILE_JEMALLOC}\n# or, keeping glibc malloc:\n${DOCKERFILE_ARENA_MAX}`,
      fixWhere: `${stage.file}, after the FROM at line ${stage.baseLine}${stage.baseLine === stage.line ? '' : ' (the stage the final image builds on)'}`,
      url: URL_RAILS_TEMPLATE,
    });
  }
  const fly = facts.files.find((file) => file.kind === 'fly.toml');
  const compose = facts.files.find((file) => file.kind === 'compose');
  const kubernetes = facts.files.find((file) => file.kind === 'kubernetes');
  const kamal = facts.files.find((file) => file.kind === 'kamal');
  const place = fly ?? kamal ?? compose ?? kubernetes ?? facts.files.find((file) => file.kind !== 'lockfile')!;
  const fix =
    place.kind === 'fly.toml'
      ? FLY_ARENA_MAX
      : place.kind === 'compose'
        ? COMPOSE_ARENA_MAX
        : place.kind === 'kubernetes'
          ? KUBERNETES_ARENA_MAX
          : place.kind === 'kamal'
            ? KAMAL_ARENA_MAX
            : `MALLOC_ARENA_MAX=2`;
  return finding({ rule: 'allocator/glibc-untuned', category: 'allocator', severity: 'high', file: place.file, line: 1, message, fix, fixWhere: place.file, url: URL_HEROKU_ARENA });
}

function arenaFindings(setting: EnvSetting, allocator: AllocatorVerdict): DoctorFinding[] {
  const base = { category: 'allocator' as const, file: setting.file, line: setting.line };
  if (allocator === 'jemalloc' || allocator === 'jemalloc-musl') {
    return [
      finding({
        ...base,
        rule: 'allocator/arena-max-ignored',
        severity: 'low',
        message: `MALLOC_ARENA_MAX=${setting.value} has no effect under jemalloc (it is a glibc malloc setting)`,
        fix: `# delete MALLOC_ARENA_MAX at ${setting.file}:${setting.line}; jemalloc's own knob is MALLOC_CONF="narenas:2"`,
        url: URL_ARENA_IGNORED,
      }),
    ];
  }
  if (allocator === 'musl') {
    return [
      finding({
        ...base,
        rule: 'allocator/arena-max-on-musl',
        severity: 'low',
        message: `MALLOC_ARENA_MAX=${setting.value} has no effect with musl's malloc (Alpine): it is a glibc setting`,
        url: URL_MUSL,
      }),
    ];
  }
  if (!/^[1-9]\d*$/.test(setting.value)) {
    return [
      finding({
        ...base,
        rule: 'allocator/arena-max-invalid',
        severity: 'medium',
        message: `MALLOC_ARENA_MAX=${setting.value} is not a positive whole number: glibc ignores it`,
        fix: DOCKERFILE_ARENA_MAX,
      }),
    ];
  }
  return [
    finding({
      ...base,
      rule: 'allocator/arena-max',
      severity: 'info',
      message: `MALLOC_ARENA_MAX=${setting.value} (${setting.context}) caps glibc malloc's arenas`,
      fix: DOCKERFILE_JEMALLOC,
      fixWhere: 'optional: jemalloc usually keeps memory lower still',
      url: URL_HEROKU_ARENA,
    }),
  ];
}

/** A variable set in a build stage the final image does not inherit from, and nowhere that runs. */
function unusedStageFindings(facts: DeploymentFacts, running: EnvSetting[]): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const setting of facts.env) {
    if (setting.runs || !['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'MALLOC_CONF'].includes(setting.name)) continue;
    if (running.some((other) => other.name === setting.name)) continue;
    const stage = facts.finalStages.find((candidate) => candidate.file === setting.file);
    findings.push(
      finding({
        rule: 'allocator/set-in-build-stage',
        category: 'allocator',
        severity: 'medium',
        file: setting.file,
        line: setting.line,
        message: `${setting.name}=${setting.value} is set in ${setting.context}, which the final image does not build on${stage ? ` (final stage: FROM at line ${stage.line})` : ''}: it never reaches the running app`,
        fix: setting.name === 'LD_PRELOAD' ? DOCKERFILE_JEMALLOC : `ENV ${setting.name}="${setting.value}"`,
        fixWhere: stage ? `${stage.file}, in the final stage (after line ${stage.line})` : null,
      }),
    );
  }
  return findings;
}

function growthFindings(facts: DeploymentFacts, ruby: RubyVersionDetection | null): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const restarter of facts.restarters) {
    findings.push(
      finding({
        rule: 'growth/restarter',
        category: 'growth',
        severity: 'medium',
        file: restarter.file,
        line: restarter.line,
        message: `${restarter.gem} ${restarter.version} ${RESTARTER_GEMS[restarter.gem]}: memory growth is being masked, not fixed`,
        fix: 'gemleak check            # known leaky gem versions in the lockfile\ngemleak heap diff A.json B.json C.json   # what grows between three heap dumps',
        fixWhere: 'find the growth, then keep the restarter only as a safety net',
        url: 'https://github.com/zombocom/puma_worker_killer#turn-it-off',
      }),
    );
  }
  const version = ruby?.chosen;
  if (version?.engine === 'ruby' && version.version === '3.3.0') {
    for (const evidence of facts.yjit) {
      findings.push(
        finding({
          rule: 'growth/yjit-ruby-3.3.0',
          category: 'growth',
          severity: 'high',
          file: evidence.file,
          line: evidence.line,
          message: `YJIT is enabled (${evidence.text}) on Ruby 3.3.0 (${at(version)}): YJIT in 3.3.0 retains objects that have a singleton class (Bug #20209), which grows like a leak in Rails apps`,
          fix: `# upgrade Ruby to the latest 3.3.x where ${version.file} names it, then:\nbundle update --ruby`,
          fixWhere: `${at(version)} (and every other place the version is written)`,
          url: URL_YJIT_BUG,
        }),
      );
    }
  }
  return findings;
}

/** The Ruby version, where it was read, and sources that disagree. */
function rubyVersionFindings(ruby: RubyVersionDetection | null): DoctorFinding[] {
  if (ruby === null) return [];
  const chosen = ruby.chosen;
  if (chosen === null) {
    return [
      finding({
        rule: 'interpreter/version-unknown',
        category: 'interpreter',
        severity: 'info',
        file: null,
        line: null,
        message:
          'the Ruby version is not written anywhere gemleak looks (Gemfile.lock RUBY VERSION, .ruby-version, .tool-versions, mise.toml, Gemfile, Dockerfile): interpreter leaks cannot be checked',
        fix: ADD_LOCKED_RUBY,
      }),
    ];
  }
  const label = chosen.engine === 'ruby' ? `Ruby ${chosen.version}${chosen.patchlevel ?? ''}` : `${chosen.engine} ${chosen.engineVersion}`;
  const findings = [finding({ rule: 'interpreter/version', category: 'interpreter', severity: 'info', file: chosen.file, line: chosen.line, message: `${label} (from ${sourceName(chosen.kind)})` })];
  for (const other of ruby.sources) {
    if (other === chosen || other.version === null || chosen.version === null || other.version === chosen.version) continue;
    findings.push(
      finding({
        rule: 'interpreter/versions-disagree',
        category: 'interpreter',
        severity: 'low',
        file: other.file,
        line: other.line,
        message: `${other.raw} here, but ${at(chosen)} says ${chosen.version}: the Ruby that runs may not be the one gemleak checked`,
        fix: other.kind === 'dockerfile' ? `ARG RUBY_VERSION=${chosen.version}` : chosen.version,
        fixWhere: at(other),
      }),
    );
  }
  return findings;
}

function sourceName(kind: string): string {
  return kind === 'lockfile'
    ? "the lockfile's RUBY VERSION"
    : kind === 'ruby-version'
      ? '.ruby-version'
      : kind === 'tool-versions'
        ? '.tool-versions'
        : kind === 'mise'
          ? 'mise.toml'
          : kind === 'gemfile'
            ? "the Gemfile's ruby line"
            : 'the Dockerfile';
}
