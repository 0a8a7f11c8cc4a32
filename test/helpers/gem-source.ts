import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A local RubyGems source built with the real `gem` and driven with the real `bundle`, for tests
 * that run Bundler commands for real. Nothing touches the network: the only source is a
 * `file://` folder, and every HTTP(S) request would go to a proxy on a closed local port.
 */

function works(command: string): boolean {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0;
}

export const hasRubyTools = works('ruby') && works('gem') && works('bundle');
export const SKIP_NO_RUBY = '(skipped: ruby, gem or bundle is not installed; on Debian: apt-get install ruby bundler)';

/** A dead end for any HTTP request: nothing listens on the discard port. */
const NO_NETWORK = 'http://127.0.0.1:9';

/**
 * The environment for `gem` and `bundle`: home, gem and bundle folders inside `root`, so nothing is
 * read from or installed into the developer's own folders; no version check; no network.
 */
export function rubyEnv(root: string): Record<string, string> {
  const home = path.join(root, 'home');
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    GEM_HOME: path.join(root, 'gem-home'),
    GEM_PATH: path.join(root, 'gem-home'),
    GEM_SPEC_CACHE: path.join(root, 'gem-spec-cache'),
    BUNDLE_PATH: path.join(root, 'bundle'),
    BUNDLE_USER_HOME: path.join(home, '.bundle'),
    BUNDLE_DISABLE_VERSION_CHECK: 'true',
    BUNDLE_FROZEN: 'false',
    BUNDLE_DEPLOYMENT: 'false',
    BUNDLE_SILENCE_ROOT_WARNING: 'true',
    BUNDLE_RETRY: '0',
    http_proxy: NO_NETWORK,
    https_proxy: NO_NETWORK,
    HTTP_PROXY: NO_NETWORK,
    HTTPS_PROXY: NO_NETWORK,
    no_proxy: '',
    NO_PROXY: '',
  };
}

export interface CommandRun {
  status: number | null;
  output: string;
}

/** Runs a program; its stdout and stderr together, for a failing test to show. */
export function run(command: string, args: readonly string[], cwd: string, env: Record<string, string>): CommandRun {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Like `run`, and throws with the output when the program fails. */
function runOk(command: string, args: readonly string[], cwd: string, env: Record<string, string>): string {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status}:\n${result.output}`);
  return result.output;
}

export interface FakeGem {
  name: string;
  version: string;
  /** Runtime dependencies: gem name and requirement, as a gemspec's `add_dependency`. */
  dependencies?: readonly (readonly [string, string])[];
}

/** A Ruby double-quoted string literal; names here are plain ASCII, so JSON's quoting is Ruby's. */
function rubyString(text: string): string {
  return JSON.stringify(text);
}

function gemspec(gem: FakeGem): string {
  return [
    'Gem::Specification.new do |s|',
    `  s.name = ${rubyString(gem.name)}`,
    `  s.version = ${rubyString(gem.version)}`,
    '  s.summary = "A gem made up by gemleak\'s end-to-end test"',
    '  s.authors = ["gemleak"]',
    '  s.license = "MIT"',
    '  s.files = []',
    ...(gem.dependencies ?? []).map(([name, requirement]) => `  s.add_dependency ${rubyString(name)}, ${rubyString(requirement)}`),
    'end',
    '',
  ].join('\n');
}

/**
 * Builds each gem with `gem build` and indexes them with `gem generate_index` in `dir`, a folder
 * a Gemfile can name as `source "file://..."`. Returns that source URL.
 */
export function buildGemSource(dir: string, gems: readonly FakeGem[], env: Record<string, string>): string {
  const specs = path.join(dir, 'specs');
  const built = path.join(dir, 'gems');
  mkdirSync(specs, { recursive: true });
  mkdirSync(built, { recursive: true });
  for (const gem of gems) {
    const file = `${gem.name}-${gem.version}.gemspec`;
    writeFileSync(path.join(specs, file), gemspec(gem));
    runOk('gem', ['build', file], specs, env);
  }
  for (const file of readdirSync(specs).filter((name) => name.endsWith('.gem'))) renameSync(path.join(specs, file), path.join(built, file));
  const indexed = run('gem', ['generate_index', '--directory', dir], dir, env);
  if (indexed.status !== 0) runOk('ruby', ['-e', WRITE_INDEX, dir], dir, env);
  return pathToFileURL(dir).href;
}

/**
 * RubyGems 3.5 moved `gem generate_index` out into a gem of its own, which it would fetch (and here
 * cannot). Then this writes the same full index Bundler reads from a `file://` source: the specs
 * lists (name, version, platform), gzipped, and one deflated marshalled gemspec per gem.
 */
const WRITE_INDEX = `
require "fileutils"
require "rubygems/package"
require "zlib"
dir = ARGV.fetch(0)
specs = Dir[File.join(dir, "gems", "*.gem")].sort.map { |file| Gem::Package.new(file).spec }
quick = File.join(dir, "quick", "Marshal.#{Gem.marshal_version}")
FileUtils.mkdir_p(quick)
specs.each { |spec| File.binwrite(File.join(quick, "#{spec.original_name}.gemspec.rz"), Gem.deflate(Marshal.dump(spec))) }
tuple = ->(spec) { [spec.name, spec.version, spec.original_platform.to_s.empty? ? Gem::Platform::RUBY : spec.original_platform] }
released, prerelease = specs.partition { |spec| !spec.version.prerelease? }
latest = released.group_by { |spec| [spec.name, spec.original_platform] }.values.map { |group| group.max_by(&:version) }
{ "specs" => released, "latest_specs" => latest, "prerelease_specs" => prerelease }.each do |name, list|
  data = Marshal.dump(list.map(&tuple).sort)
  File.binwrite(File.join(dir, "#{name}.#{Gem.marshal_version}"), data)
  Zlib::GzipWriter.open(File.join(dir, "#{name}.#{Gem.marshal_version}.gz")) { |gz| gz.write(data) }
end
`;

export interface GemfileEntry {
  name: string;
  /** The Gemfile's requirement, as written after the lockfile is made (none when absent). */
  requirement?: string;
  /** The version to lock: pinned for the first `bundle lock`, then the pin is replaced by `requirement`. */
  lockAt?: string;
}

function gemfileText(source: string, gems: readonly GemfileEntry[], pinned: boolean): string {
  const lines = [`source ${rubyString(source)}`, ''];
  for (const gem of gems) {
    const requirement = pinned && gem.lockAt !== undefined ? `= ${gem.lockAt}` : gem.requirement;
    lines.push(requirement === undefined ? `gem ${rubyString(gem.name)}` : `gem ${rubyString(gem.name)}, ${rubyString(requirement)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * An app as Bundler leaves it: a Gemfile (or `gemfile`, e.g. `Gemfile.next`) and the lockfile of
 * the versions asked for. The versions are locked with a pin that is then relaxed to the Gemfile's
 * real requirement and locked again, which keeps them: what an app that has not updated looks like.
 */
export function lockApp(dir: string, source: string, gems: readonly GemfileEntry[], env: Record<string, string>, gemfile = 'Gemfile'): void {
  mkdirSync(dir, { recursive: true });
  const withGemfile = gemfile === 'Gemfile' ? env : { ...env, BUNDLE_GEMFILE: gemfile };
  writeFileSync(path.join(dir, gemfile), gemfileText(source, gems, true));
  runOk('bundle', ['lock'], dir, withGemfile);
  writeFileSync(path.join(dir, gemfile), gemfileText(source, gems, false));
  runOk('bundle', ['lock'], dir, withGemfile);
}

/** Rewrites the app's Gemfile with other requirements, as a user following the advice would. */
export function rewriteGemfile(dir: string, source: string, gems: readonly GemfileEntry[], gemfile = 'Gemfile'): void {
  writeFileSync(path.join(dir, gemfile), gemfileText(source, gems, false));
}
