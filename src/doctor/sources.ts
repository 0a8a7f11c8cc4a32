import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { baseImageOf, keyValuePairs, lineOf, parseDockerfile } from './dockerfile.js';
import type { BaseImage, DeploymentFacts, DoctorWarning, EnvSetting, Evidence, JemallocEvidence } from './types.js';

/**
 * Pure readers of deployment files: each takes a file's text and its display name and returns
 * the allocator-relevant facts with their lines. No judgement here (see rules.ts).
 */

export interface FileFacts {
  env: EnvSetting[];
  jemalloc: JemallocEvidence[];
  images: BaseImage[];
  yjit: Evidence[];
  finalStages: DeploymentFacts['finalStages'];
  warnings: DoctorWarning[];
}

function empty(): FileFacts {
  return { env: [], jemalloc: [], images: [], yjit: [], finalStages: [], warnings: [] };
}

/** Variables that decide the allocator or how far the Ruby heap grows. */
function isRelevantVariable(name: string): boolean {
  return /^(LD_PRELOAD|MALLOC_ARENA_MAX|MALLOC_CONF|JEMALLOC_ENABLED|RUBY_YJIT_ENABLE|RUBYOPT|RUBY_CONFIGURE_OPTS)$/.test(name) || name.startsWith('RUBY_GC_');
}

function mentionsJemalloc(text: string): boolean {
  return /jemalloc/i.test(text);
}

/** An image whose C library is musl: Alpine, or Ruby's `-alpine` tags. */
export function isMuslImage(image: string): boolean {
  return /(^|[/:-])alpine([:@.\d-]|$)/i.test(image);
}

function yjitFromEnv(setting: EnvSetting): Evidence | null {
  if (setting.name === 'RUBY_YJIT_ENABLE' && /^(1|true|yes|on)$/i.test(setting.value)) return { file: setting.file, line: setting.line, text: `${setting.name}=${setting.value}` };
  if (setting.name === 'RUBYOPT' && /--yjit\b/.test(setting.value)) return { file: setting.file, line: setting.line, text: `${setting.name}=${setting.value}` };
  return null;
}

/** Adds an env setting and what it implies (a jemalloc preload, YJIT on). */
function addSetting(facts: FileFacts, setting: EnvSetting): void {
  if (!isRelevantVariable(setting.name)) return;
  facts.env.push(setting);
  if (setting.name === 'LD_PRELOAD' && mentionsJemalloc(setting.value)) {
    facts.jemalloc.push({ how: 'preload', file: setting.file, line: setting.line, text: `LD_PRELOAD=${setting.value}`, runs: setting.runs, conditional: false });
  }
  if (setting.name === 'JEMALLOC_ENABLED' && /^(1|true|yes|on)$/i.test(setting.value)) {
    facts.jemalloc.push({ how: 'preload', file: setting.file, line: setting.line, text: `JEMALLOC_ENABLED=${setting.value}`, runs: setting.runs, conditional: false });
  }
  if (setting.name === 'RUBY_CONFIGURE_OPTS' && /--with-jemalloc/.test(setting.value)) {
    facts.jemalloc.push({ how: 'linked', file: setting.file, line: setting.line, text: `RUBY_CONFIGURE_OPTS=${setting.value}`, runs: setting.runs, conditional: false });
  }
  const yjit = yjitFromEnv(setting);
  if (yjit && setting.runs) facts.yjit.push(yjit);
}

const INSTALL = /\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^;&|]*\b(install|add)\b/;

/** Every stage of a Dockerfile; only the final stage and the stages it builds on run. */
export function dockerfileFacts(text: string, file: string): FileFacts {
  const facts = empty();
  const model = parseDockerfile(text);
  const last = model.stages.at(-1);
  for (const stage of model.stages) {
    const runs = model.runningStages.has(stage.index);
    const context = stage.name === null ? `stage ${stage.index + 1}` : `stage "${stage.name}"`;
    if (stage.parent === null) {
      const musl = isMuslImage(stage.from);
      facts.images.push({ image: stage.from, file, line: stage.fromLine, musl, runs });
      // Images that ship a Ruby built against jemalloc (fullstaq-ruby's `-jemalloc` variants).
      if (/jemalloc/i.test(stage.from)) facts.jemalloc.push({ how: 'linked', file, line: stage.fromLine, text: `FROM ${stage.from}`, runs, conditional: false });
    }
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'ENV') {
        for (const pair of keyValuePairs(instruction)) addSetting(facts, { ...pair, file, context, runs });
      } else if (instruction.keyword === 'RUN') {
        if (INSTALL.test(instruction.args) && /\b(lib)?jemalloc[\w.-]*/.test(instruction.args)) {
          const line = lineOf(instruction, /jemalloc/);
          facts.jemalloc.push({ how: 'installed', file, line, text: 'jemalloc installed by the package manager', runs, conditional: false });
        }
        if (/--with-jemalloc/.test(instruction.args)) {
          facts.jemalloc.push({ how: 'linked', file, line: lineOf(instruction, '--with-jemalloc'), text: 'Ruby built --with-jemalloc', runs, conditional: false });
        }
        const inline = /\bLD_PRELOAD=(\S*jemalloc\S*)/.exec(instruction.args);
        if (inline && /\becho\b.*>>|\/etc\/ld\.so\.preload/.test(instruction.args)) {
          facts.jemalloc.push({ how: 'preload', file, line: lineOf(instruction, 'jemalloc'), text: inline[0], runs, conditional: false });
        }
        if (/\/etc\/ld\.so\.preload/.test(instruction.args) && mentionsJemalloc(instruction.args)) {
          facts.jemalloc.push({ how: 'preload', file, line: lineOf(instruction, 'ld.so.preload'), text: 'jemalloc in /etc/ld.so.preload', runs, conditional: false });
        }
      } else if (instruction.keyword === 'COPY' && mentionsJemalloc(instruction.args)) {
        facts.jemalloc.push({ how: 'installed', file, line: lineOf(instruction, /jemalloc/), text: 'jemalloc copied into the image', runs, conditional: false });
      } else if ((instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT') && runs && /--yjit\b/.test(instruction.args)) {
        facts.yjit.push({ file, line: instruction.line, text: `${instruction.keyword} ${instruction.args}` });
      }
    }
  }
  if (last !== undefined) {
    const { image: base, line: baseLine } = baseImageOf(model, last);
    facts.finalStages.push({
      file,
      line: last.fromLine,
      baseLine,
      debianLike: !isMuslImage(base) && /(^|\/)ruby:|debian|ubuntu|bookworm|bullseye|slim/.test(base),
      // The Rails generator's Dockerfile: `ARG RUBY_VERSION=` then `FROM …ruby:$RUBY_VERSION-slim AS base`.
      railsTemplate: /Make sure RUBY_VERSION matches the Ruby version in \.ruby-version/.test(text) || (/ARG RUBY_VERSION=/.test(text) && /FROM \S*ruby:\$RUBY_VERSION-slim AS base/i.test(text)),
    });
  }
  return facts;
}

/**
 * `bin/docker-entrypoint`: `export LD_PRELOAD=…jemalloc…` (the Rails 7.1 template sets it only
 * when the library exists in the image), `export MALLOC_ARENA_MAX=2`.
 */
export function entrypointFacts(text: string, file: string): FileFacts {
  const facts = empty();
  let depth = 0;
  let conditionMentionsJemalloc = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const code = raw.replace(/(^|\s)#.*/, '').trim();
    if (/^if\b/.test(code)) {
      depth++;
      if (mentionsJemalloc(code)) conditionMentionsJemalloc = true;
    }
    if (/^fi\b/.test(code)) {
      depth = Math.max(0, depth - 1);
      if (depth === 0) conditionMentionsJemalloc = false;
    }
    const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(code);
    if (!assignment) return;
    const value = assignment[2]!.replace(/^["']|["']$/g, '');
    const before = facts.jemalloc.length;
    addSetting(facts, { name: assignment[1]!, value, file, line, context: 'entrypoint', runs: true });
    for (const evidence of facts.jemalloc.slice(before)) evidence.conditional = depth > 0 && conditionMentionsJemalloc;
  });
  return facts;
}

/** `web: jemalloc.sh bundle exec puma -C config/puma.rb`, `worker: MALLOC_ARENA_MAX=2 bundle exec sidekiq`. */
export function procfileFacts(text: string, file: string): FileFacts {
  const facts = empty();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(raw.trim());
    if (!match) return;
    const line = index + 1;
    const [, processName, command] = match as unknown as [string, string, string];
    if (/(^|\s|\/)jemalloc\.sh(\s|$)/.test(command)) {
      facts.jemalloc.push({ how: 'preload', file, line, text: `${processName}: ${command}`, runs: true, conditional: false });
    }
    for (const assignment of command.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=(\S+)/g)) {
      addSetting(facts, { name: assignment[1]!, value: assignment[2]!, file, line, context: `process ${processName}`, runs: true });
    }
    if (/\s--yjit\b/.test(command)) facts.yjit.push({ file, line, text: `${processName}: ${command}` });
  });
  return facts;
}

/** The line of the first occurrence of `needle` in `text` (1 when absent). */
function lineOfText(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Heroku's `app.json`: `buildpacks` (a jemalloc buildpack) and `env` (value or `{ "value": … }`). */
export function appJsonFacts(text: string, file: string): FileFacts {
  const facts = empty();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    facts.warnings.push({ file, message: `not valid JSON, skipped (${error instanceof Error ? error.message : String(error)})` });
    return facts;
  }
  if (typeof document !== 'object' || document === null) return facts;
  const { buildpacks, env } = document as { buildpacks?: unknown; env?: unknown };
  if (Array.isArray(buildpacks)) {
    for (const buildpack of buildpacks) {
      const url = typeof buildpack === 'string' ? buildpack : typeof buildpack === 'object' && buildpack !== null ? (buildpack as { url?: unknown }).url : undefined;
      if (typeof url === 'string' && mentionsJemalloc(url)) {
        facts.jemalloc.push({ how: 'buildpack', file, line: lineOfText(text, url), text: `buildpack ${url}`, runs: true, conditional: false });
      }
    }
  }
  if (typeof env === 'object' && env !== null && !Array.isArray(env)) {
    for (const [name, entry] of Object.entries(env)) {
      const value =
        typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null && typeof (entry as { value?: unknown }).value === 'string' ? (entry as { value: string }).value : null;
      if (value === null) continue;
      addSetting(facts, { name, value, file, line: lineOfText(text, JSON.stringify(name)), context: 'app.json env', runs: true });
    }
  }
  return facts;
}

/** fly.io's `fly.toml`: the `[env]` table. */
export function flyTomlFacts(text: string, file: string): FileFacts {
  const facts = empty();
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    facts.warnings.push({ file, message: `not valid TOML, skipped (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})` });
    return facts;
  }
  const env = document.env;
  if (typeof env !== 'object' || env === null) return facts;
  const lines = text.split(/\r?\n/);
  const envHeader = lines.findIndex((line) => /^\s*\[\s*env\s*\]/.test(line));
  for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    let line = envHeader + 1;
    for (let index = Math.max(envHeader, 0); index < lines.length; index++) {
      if (new RegExp(`^\\s*["']?${name}["']?\\s*=`).test(lines[index]!)) {
        line = index + 1;
        break;
      }
    }
    addSetting(facts, { name, value: String(value), file, line: Math.max(line, 1), context: '[env]', runs: true });
  }
  return facts;
}

function lineOfNode(node: YamlNode | null | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

/** `environment:` as a map (`KEY: value`) or a list (`- KEY=value`), each with its line. */
function yamlEnvironment(node: unknown, counter: LineCounter): { name: string; value: string; line: number }[] {
  const result: { name: string; value: string; line: number }[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) continue;
      const value = isScalar(pair.value) ? String(pair.value.value ?? '') : '';
      result.push({ name: key, value, line: lineOfNode(pair.key as YamlNode, counter) });
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      if (!isScalar(item)) continue;
      const text = String(item.value);
      const at = text.indexOf('=');
      result.push({ name: at < 0 ? text : text.slice(0, at), value: at < 0 ? '' : text.slice(at + 1), line: lineOfNode(item, counter) });
    }
  }
  return result;
}

function parseYaml(text: string, file: string, facts: FileFacts) {
  const counter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false });
  if (!Array.isArray(documents)) return { documents: [], counter };
  const bad = documents.find((document) => document.errors.length > 0);
  if (bad) {
    const error = bad.errors[0]!;
    facts.warnings.push({ file, line: error.linePos?.[0]?.line, message: `not valid YAML, skipped (${error.message.split('\n')[0]})` });
    return { documents: [], counter };
  }
  return { documents, counter };
}

function imageFact(facts: FileFacts, node: unknown, file: string, counter: LineCounter): void {
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const image = node.value;
  facts.images.push({ image, file, line: lineOfNode(node, counter), musl: isMuslImage(image), runs: true });
  if (/jemalloc/i.test(image)) facts.jemalloc.push({ how: 'linked', file, line: lineOfNode(node, counter), text: `image: ${image}`, runs: true, conditional: false });
}

/** docker-compose files: each service's `image:` and `environment:`. */
export function composeFacts(text: string, file: string): FileFacts {
  const facts = empty();
  const { documents, counter } = parseYaml(text, file, facts);
  for (const document of documents) {
    const services = document.get('services', true);
    if (!isMap(services)) continue;
    for (const service of services.items) {
      const name = isScalar(service.key) ? String(service.key.value) : '?';
      if (!isMap(service.value)) continue;
      imageFact(facts, service.value.get('image', true), file, counter);
      for (const entry of yamlEnvironment(service.value.get('environment', true), counter)) {
        addSetting(facts, { ...entry, file, context: `service ${name}`, runs: true });
      }
      const command = service.value.get('command', true);
      if (isScalar(command) && typeof command.value === 'string' && /--yjit\b/.test(command.value)) facts.yjit.push({ file, line: lineOfNode(command, counter), text: command.value });
    }
  }
  return facts;
}

/**
 * Kamal's `config/deploy.yml` (the Rails 8 default): `env:` as `clear:` / `secret:` or a plain map,
 * at the top and under each role of `servers:`. Secret values live elsewhere; only clear ones are read.
 */
export function kamalFacts(text: string, file: string): FileFacts {
  const facts = empty();
  const { documents, counter } = parseYaml(text, file, facts);
  const readEnv = (env: unknown, context: string) => {
    if (!isMap(env)) return;
    const clear = env.get('clear', true);
    const plain = env.has('clear') || env.has('secret') ? clear : env;
    for (const entry of yamlEnvironment(plain, counter)) addSetting(facts, { ...entry, file, context, runs: true });
  };
  for (const document of documents) {
    readEnv(document.get('env', true), 'env');
    const servers = document.get('servers', true);
    if (!isMap(servers)) continue;
    for (const role of servers.items) {
      if (isMap(role.value)) readEnv(role.value.get('env', true), `role ${isScalar(role.key) ? String(role.key.value) : '?'}`);
    }
  }
  return facts;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Job', 'CronJob']);

/** Kubernetes manifests: the `env:` and `image:` of every container of every workload. */
export function kubernetesFacts(text: string, file: string): FileFacts {
  const facts = empty();
  const { documents, counter } = parseYaml(text, file, facts);
  for (const document of documents) {
    const kind = document.get('kind');
    if (typeof kind !== 'string' || !WORKLOAD_KINDS.has(kind)) continue;
    const podSpec =
      kind === 'Pod'
        ? document.getIn(['spec'], true)
        : kind === 'CronJob'
          ? document.getIn(['spec', 'jobTemplate', 'spec', 'template', 'spec'], true)
          : document.getIn(['spec', 'template', 'spec'], true);
    if (!isMap(podSpec)) continue;
    for (const listName of ['initContainers', 'containers']) {
      const containers = podSpec.get(listName, true);
      if (!isSeq(containers)) continue;
      for (const container of containers.items) {
        if (!isMap(container)) continue;
        const name = String(container.get('name') ?? '?');
        const runs = listName === 'containers';
        if (runs) imageFact(facts, container.get('image', true), file, counter);
        const env = container.get('env', true);
        if (!isSeq(env)) continue;
        for (const item of env.items) {
          if (!isMap(item)) continue;
          const variable = item.get('name', true);
          const value = item.get('value', true);
          if (!isScalar(variable)) continue;
          addSetting(facts, { name: String(variable.value), value: isScalar(value) ? String(value.value ?? '') : '', file, line: lineOfNode(variable, counter), context: `container ${name}`, runs });
        }
      }
    }
  }
  return facts;
}

/** Whether a YAML text looks like a Kubernetes workload (cheap pre-check before parsing). */
export function looksLikeKubernetes(text: string): boolean {
  return /^\s*apiVersion:/m.test(text) && /^\s*kind:\s*(Deployment|StatefulSet|DaemonSet|ReplicaSet|Pod|Job|CronJob)\b/m.test(text);
}
