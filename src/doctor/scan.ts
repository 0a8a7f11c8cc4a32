import { parseLockfileBytes } from '../lockfile/index.js';
import { type AppRoot, MAX_LOCKFILE_BYTES, readAppFile, walkAppFiles } from '../runtime/index.js';
import { appJsonFacts, composeFacts, kamalFacts, dockerfileFacts, entrypointFacts, type FileFacts, flyTomlFacts, kubernetesFacts, looksLikeKubernetes, procfileFacts } from './sources.js';
import type { DeploymentFacts, DeploymentFileKind, Evidence } from './types.js';

/** Gems whose job is to restart a process that has grown: a leak is being masked. */
export const RESTARTER_GEMS: Record<string, string> = {
  puma_worker_killer: 'restarts Puma workers past a memory limit',
  'unicorn-worker-killer': 'restarts Unicorn workers past a memory limit or request count',
  'sidekiq-worker-killer': 'restarts Sidekiq past a memory limit',
  sidekiq_memory_killer: 'restarts Sidekiq past a memory limit',
  'puma-worker-killer': 'restarts Puma workers past a memory limit',
};

// `.devcontainer` holds the development container (Rails 7.2+ generates one without jemalloc), not what is deployed.
const SKIP_FOLDERS = new Set(['.devcontainer', '.git', 'node_modules', 'vendor', 'tmp', 'log', 'public', 'coverage', '.bundle', 'storage', 'spec', 'test']);

/** Which deployment file a path is, or null. Names follow each tool's own lookup rules. */
function deploymentKind(relative: string, name: string): DeploymentFileKind | null {
  if (name === 'Dockerfile' || /^Dockerfile\.[\w.-]+$/.test(name) || /\.[Dd]ockerfile$/.test(name) || name === 'Containerfile') return 'dockerfile';
  if (relative === 'bin/docker-entrypoint' || name === 'docker-entrypoint.sh') return 'entrypoint';
  if (relative === 'Procfile') return 'procfile';
  if (relative === 'app.json') return 'app.json';
  if (name === 'fly.toml') return 'fly.toml';
  if (/^config\/deploy(\.[\w-]+)?\.yml$/.test(relative)) return 'kamal';
  if (/^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/.test(name)) return 'compose';
  if (/\.ya?ml$/.test(name) && /(^|\/)(k8s|kube|kubernetes|deploy|deployment|deployments|manifests|charts|helm|infra|ops)\//.test(relative)) return 'kubernetes';
  return null;
}

export interface ScanOptions {
  /** The lockfile relative to the app folder (default Gemfile.lock, else gems.locked). */
  lockfile?: string;
}

/** Reads every deployment file of the app (bounded walk, hostile-safe reads) into facts. */
export function scanDeployment(root: AppRoot, options: ScanOptions = {}): DeploymentFacts {
  const facts: DeploymentFacts = { files: [], env: [], jemalloc: [], images: [], finalStages: [], yjit: [], restarters: [], heroku: null, fly: null, warnings: [] };
  const found = walkAppFiles(root, (relative, name) => deploymentKind(relative, name) !== null, { maxDepth: 4, maxEntries: 20_000, skip: SKIP_FOLDERS });
  for (const relative of found) {
    const kind = deploymentKind(relative, relative.split('/').at(-1)!)!;
    const read = readAppFile(root, relative);
    if (read.kind === 'absent') continue;
    if (read.kind === 'skipped') {
      facts.warnings.push({ file: read.file, message: read.reason });
      continue;
    }
    if (kind === 'kubernetes' && !looksLikeKubernetes(read.text)) continue;
    if (kind === 'kubernetes' && read.text.includes('{{')) {
      // A Helm template is not YAML until rendered: say so rather than report a parse error.
      facts.warnings.push({ file: read.file, message: 'a template (it has {{ }}), not read: run gemleak doctor on the rendered manifests (helm template … > k8s/rendered.yaml)' });
      continue;
    }
    facts.files.push({ file: read.file, relative, kind });
    merge(facts, readerFor(kind)(read.text, read.file));
    if (kind === 'procfile' || kind === 'app.json') facts.heroku ??= { file: read.file, line: 1, text: kind };
    if (kind === 'fly.toml') facts.fly ??= { file: read.file, line: 1, text: kind };
  }
  scanLockfile(root, options, facts);
  scanRailsYjit(root, facts);
  return facts;
}

function readerFor(kind: DeploymentFileKind): (text: string, file: string) => FileFacts {
  switch (kind) {
    case 'dockerfile':
      return dockerfileFacts;
    case 'entrypoint':
      return entrypointFacts;
    case 'procfile':
      return procfileFacts;
    case 'app.json':
      return appJsonFacts;
    case 'fly.toml':
      return flyTomlFacts;
    case 'compose':
      return composeFacts;
    case 'kamal':
      return kamalFacts;
    default:
      return kubernetesFacts;
  }
}

function merge(into: DeploymentFacts, facts: FileFacts): void {
  into.env.push(...facts.env);
  into.jemalloc.push(...facts.jemalloc);
  into.images.push(...facts.images);
  into.yjit.push(...facts.yjit);
  into.finalStages.push(...facts.finalStages);
  into.warnings.push(...facts.warnings);
}

/** Restarter gems locked in the lockfile, at their spec lines. A bad lockfile is a warning here. */
function scanLockfile(root: AppRoot, options: ScanOptions, facts: DeploymentFacts): void {
  for (const relative of options.lockfile === undefined ? ['Gemfile.lock', 'gems.locked'] : [options.lockfile]) {
    const read = readAppFile(root, relative, MAX_LOCKFILE_BYTES);
    if (read.kind === 'absent') continue;
    if (read.kind === 'skipped') {
      facts.warnings.push({ file: read.file, message: read.reason });
      return;
    }
    facts.files.push({ file: read.file, relative, kind: 'lockfile' });
    try {
      const lockfile = parseLockfileBytes(Buffer.from(read.text, 'utf8'), read.file);
      for (const spec of lockfile.specs) {
        if (spec.name in RESTARTER_GEMS) facts.restarters.push({ gem: spec.name, version: spec.version, file: read.file, line: spec.line });
      }
    } catch (error) {
      facts.warnings.push({ file: read.file, message: `lockfile not read: ${error instanceof Error ? error.message : String(error)}` });
    }
    return;
  }
}

/**
 * YJIT switched on by the app itself: the Rails template `config/initializers/enable_yjit.rb`,
 * `config.yjit = true`, or `config.load_defaults 7.2` or later (YJIT on by default when the Ruby
 * has it) unless `config.yjit = false`.
 */
function scanRailsYjit(root: AppRoot, facts: DeploymentFacts): void {
  const initializer = readAppFile(root, 'config/initializers/enable_yjit.rb');
  if (initializer.kind === 'text') {
    const lines = initializer.text.split(/\r?\n/);
    // The call itself (`RubyVM::YJIT.enable`), not the `if defined?` guard around it.
    const call = lines.findIndex((line) => /^\s*RubyVM::YJIT\.enable\b/.test(line));
    const at = call >= 0 ? call : lines.findIndex((line) => /YJIT\.enable/.test(line) && !/^\s*#/.test(line));
    if (at >= 0) facts.yjit.push({ file: initializer.file, line: at + 1, text: lines[at]!.trim() });
  }
  const application = readAppFile(root, 'config/application.rb');
  if (application.kind !== 'text') return;
  const lines = application.text.split(/\r?\n/);
  const explicit = lines.findIndex((line) => /^\s*config\.yjit\s*=/.test(line));
  if (explicit >= 0) {
    if (/=\s*(true|\{)/.test(lines[explicit]!)) facts.yjit.push(evidence(application.file, explicit, lines));
    return;
  }
  const defaults = lines.findIndex((line) => /^\s*config\.load_defaults\s+["']?(\d+)\.(\d+)/.test(line));
  if (defaults < 0) return;
  const [, major, minor] = /load_defaults\s+["']?(\d+)\.(\d+)/.exec(lines[defaults]!)!;
  if (Number(major) > 7 || (Number(major) === 7 && Number(minor) >= 2)) facts.yjit.push(evidence(application.file, defaults, lines, ' (Rails 7.2+ defaults enable YJIT)'));
}

function evidence(file: string, index: number, lines: string[], note = ''): Evidence {
  return { file, line: index + 1, text: `${lines[index]!.trim()}${note}` };
}
