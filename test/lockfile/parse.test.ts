import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GemleakError } from '../../src/errors.js';
import { parseLockfile } from '../../src/lockfile/index.js';
import type { Lockfile, LockfileDependency, SpecSource } from '../../src/lockfile/index.js';
import { repoRoot } from '../helpers/paths.js';

const fixtures = path.join(repoRoot, 'test/fixtures/lockfiles');

function fixture(name: string): string {
  return readFileSync(path.join(fixtures, name), 'utf8');
}

/** `line name version [platform]`: one spec per string, so a table row shows the whole lockfile at a glance. */
function specSummary(lockfile: Lockfile): string[] {
  return lockfile.specs.map((spec) => [spec.line, spec.name, spec.version, spec.platform].filter((part) => part !== null).join(' '));
}

function sourceOf(lockfile: Lockfile, name: string): SpecSource | undefined {
  return lockfile.specs.find((spec) => spec.name === name)?.source;
}

function parseError(text: string): GemleakError {
  try {
    parseLockfile(text, 'Gemfile.lock');
  } catch (error) {
    if (error instanceof GemleakError) return error;
    throw error;
  }
  throw new Error('expected parseLockfile to throw');
}

const RUBYGEMS: SpecSource = { type: 'gem', remotes: ['https://rubygems.org/'] };

interface GrammarCase {
  fixture: string;
  specs?: string[];
  sources?: Record<string, SpecSource>;
  platforms?: string[];
  dependencies?: LockfileDependency[];
  specDependencies?: Record<string, { name: string; requirement: string }[]>;
  checksums?: Record<string, string>;
  rubyVersion?: string | null;
  bundledWith?: string | null;
  warnings?: string[];
}

const GRAMMAR_CASES: [string, GrammarCase][] = [
  [
    'platform-specific specs split at the first dash (-x86_64-linux, -java, -arm64-darwin, universal-darwin, musl, mingw-ucrt)',
    {
      fixture: 'platforms.lock',
      specs: [
        '4 ffi 1.15.5',
        '5 ffi 1.15.5 x64-mingw-ucrt',
        '6 jruby-openssl 0.14.0 java',
        '7 json 2.7.0.rc1 universal-java-11',
        '8 mini_portile2 2.8.1',
        '9 nokogiri 1.13.10',
        '12 nokogiri 1.13.10 arm64-darwin',
        '14 nokogiri 1.13.10 java',
        '16 nokogiri 1.13.10 x86_64-linux',
        '18 racc 1.6.2',
        '19 racc 1.6.2 java',
        '20 sorbet-static 0.5.10461 universal-darwin-21',
        '21 sorbet-static 0.5.10461 x86_64-linux',
        '22 sqlite3 2.0.2 aarch64-linux-gnu',
        '23 sqlite3 2.0.2 x86_64-linux-musl',
      ],
      platforms: ['aarch64-linux-gnu', 'arm64-darwin-22', 'java', 'ruby', 'universal-darwin-21', 'universal-java-11', 'x64-mingw-ucrt', 'x86_64-linux', 'x86_64-linux-musl'],
      specDependencies: {
        nokogiri: [
          { name: 'mini_portile2', requirement: '~> 2.8.0' },
          { name: 'racc', requirement: '~> 1.4' },
        ],
      },
      bundledWith: '2.4.22',
      rubyVersion: null,
    },
  ],
  [
    'several GEM sections, each with its own remote, and `!` dependencies',
    {
      fixture: 'multiple-gem-sources.lock',
      specs: ['4 sidekiq-ent 2.5.3', '9 sidekiq-pro 5.5.8', '15 connection_pool 2.3.0', '16 einhorn 1.0.0', '17 gserver 0.0.1', '18 rack 2.2.6.2', '19 redis 4.8.1', '20 sidekiq 6.5.8'],
      sources: {
        'sidekiq-pro': { type: 'gem', remotes: ['https://gems.contribsys.com/'] },
        sidekiq: RUBYGEMS,
      },
      dependencies: [
        { name: 'sidekiq', requirement: '~> 6.5', pinned: false, line: 29 },
        { name: 'sidekiq-ent', requirement: '', pinned: true, line: 30 },
        { name: 'sidekiq-pro', requirement: '', pinned: true, line: 31 },
      ],
      specDependencies: {
        'sidekiq-ent': [
          { name: 'einhorn', requirement: '~> 1.0' },
          { name: 'gserver', requirement: '' },
          { name: 'sidekiq', requirement: '>= 6.5.0, < 7' },
          { name: 'sidekiq-pro', requirement: '>= 5.5.0, < 6' },
        ],
      },
    },
  ],
  [
    'one GEM section with several remotes (Bundler before 2.2.10) keeps them all, in written order',
    {
      fixture: 'merged-remotes.lock',
      sources: { 'sidekiq-pro': { type: 'gem', remotes: ['https://rubygems.org/', 'https://enterprise.contribsys.com/'] } },
      specDependencies: { 'rack-protection': [{ name: 'rack', requirement: '' }] },
      bundledWith: '2.1.4',
    },
  ],
  [
    'GIT sections with glob and submodules, ref, branch and tag; one repository locking several gems',
    {
      fixture: 'git-sources.lock',
      specs: [
        '7 vendored-engine 0.3.0',
        '15 oj 3.13.23',
        '22 actionpack 7.1.0.alpha',
        '26 actionview 7.1.0.alpha',
        '28 activesupport 7.1.0.alpha',
        '32 railties 7.1.0.alpha',
        '42 redis 4.8.1',
        '47 concurrent-ruby 1.1.10',
        '48 i18n 1.12.0',
        '50 rack 2.2.4',
        '51 thor 1.2.1',
        '52 tzinfo 2.0.5',
      ],
      sources: {
        'vendored-engine': {
          type: 'git',
          remote: 'git@github.com:acme/vendored-engine.git',
          revision: '1234567890abcdef1234567890abcdef12345678',
          glob: 'gems/*/*.gemspec',
          submodules: true,
        },
        oj: { type: 'git', remote: 'https://github.com/ohler55/oj.git', revision: '0f3d5c2e4a6b8c9d1e2f3a4b5c6d7e8f9a0b1c2d', ref: '0f3d5c2' },
        railties: { type: 'git', remote: 'https://github.com/rails/rails.git', revision: '5f4ba4c7fbd8d0e5e4cfb4c6a2d0b4ae3c1e7d12', branch: 'main' },
        actionpack: { type: 'git', remote: 'https://github.com/rails/rails.git', revision: '5f4ba4c7fbd8d0e5e4cfb4c6a2d0b4ae3c1e7d12', branch: 'main' },
        redis: { type: 'git', remote: 'https://github.com/redis/redis-rb.git', revision: '9a3e4bd4a1b1a5e2c4ffd7a8c2f0b1fe2f5c1d33', tag: 'v4.8.1' },
        thor: RUBYGEMS,
      },
    },
  ],
  [
    'PATH sections (`remote: .` and a vendored engine with glob) and `name (= version)!`',
    {
      fixture: 'path-sources.lock',
      sources: {
        invoice_mailer: { type: 'path', path: '.' },
        billing: { type: 'path', path: 'vendor/engines/billing', glob: '*.gemspec' },
        rake: RUBYGEMS,
      },
      dependencies: [
        { name: 'billing', requirement: '', pinned: true, line: 37 },
        { name: 'invoice_mailer', requirement: '= 0.1.0', pinned: true, line: 38 },
        { name: 'rake', requirement: '~> 13.0', pinned: false, line: 39 },
      ],
    },
  ],
  [
    'PLUGIN SOURCE keeps its type and plugin-specific options',
    {
      fixture: 'plugin-source.lock',
      specs: ['6 internal-auth 2.3.1', '12 jwt 2.7.1'],
      sources: {
        'internal-auth': { type: 'plugin', remote: 'https://gems.internal.example.com/mirror', plugin: 'internal_mirror', options: { channel: 'stable' } },
        jwt: RUBYGEMS,
      },
    },
  ],
  [
    'CHECKSUMS with sha256 (and a path gem without one), RUBY VERSION, BUNDLED WITH',
    {
      fixture: 'checksums.lock',
      specs: ['4 status_page 0.2.0', '10 nio4r 2.7.0', '11 nokogiri 1.16.2 x86_64-linux', '13 puma 6.4.2', '15 racc 1.7.3', '16 rack 3.0.9'],
      checksums: {
        'nio4r (2.7.0)': 'sha256=00b7df18847b0d8d58410efc0e869a907940b7f9a2c699683c45592d5ab311eb',
        'nokogiri (1.16.2-x86_64-linux)': 'sha256=1c855645f22f9229c9b724d762f004e9d22b2b4c8fe5ccd6f363cb35ef39f91c',
        'puma (6.4.2)': 'sha256=a22e46aff27ea8eb32a0d5281a94438b3d0c1d953771a67fcf71f05baeeb2335',
        'racc (1.7.3)': 'sha256=b28ead9775057fc0ac60015a323334dbc74aac9a416cbc46f77ded2c7d1098b5',
        'rack (3.0.9)': 'sha256=ec9b119ccb80fe4184f2a9d5746bca2e0923813752b24a48356a5b98addf2005',
        'status_page (0.2.0)': '',
      },
      rubyVersion: 'ruby 3.3.0p0',
      bundledWith: '2.5.6',
    },
  ],
  ['Bundler 4 indents the RUBY VERSION and BUNDLED WITH values by 2 spaces', { fixture: 'bundler-4.lock', rubyVersion: 'ruby 3.4.5', bundledWith: '4.0.3', platforms: ['ruby', 'x86_64-linux'] }],
  [
    'a Bundler 1.x lockfile has no BUNDLED WITH and no RUBY VERSION',
    {
      fixture: 'bundler-1.lock',
      specs: ['4 celluloid 0.15.2', '6 connection_pool 1.2.0', '7 json 1.8.1', '8 redis 3.0.6', '9 redis-namespace 1.3.2', '11 sidekiq 2.17.0', '17 timers 1.1.0'],
      dependencies: [{ name: 'sidekiq', requirement: '~> 2.17.0', pinned: false, line: 23 }],
      rubyVersion: null,
      bundledWith: null,
    },
  ],
  [
    'prerelease and 4-segment versions are kept exactly as written',
    {
      fixture: 'prerelease.lock',
      specs: ['4 actionpack 4.2.11.1', '6 mail 2.8.0.rc1', '8 mini_mime 1.1.5', '9 rack 1.6.13', '10 redcarpet 2.0.0b5', '11 turbo-rails 2.0.0.pre.beta.1', '13 view_component 3.0.0.rc1'],
    },
  ],
  [
    'sections with no blank lines between them, BUNDLED WITH a .dev version',
    { fixture: 'no-blank-lines.lock', specs: ['4 rake 13.0.6', '5 rspec 3.12.0', '7 rspec-core 3.12.0'], platforms: ['ruby'], bundledWith: '2.4.0.dev' },
  ],
  ['an unknown section is skipped with a warning naming its line', { fixture: 'unknown-section.lock', specs: ['4 rack 2.2.8'], bundledWith: '2.9.0', warnings: ['UNKNOWN_SECTION 12'] }],
  ['a spec locked twice is kept once, with a warning on the second line', { fixture: 'duplicate-spec.lock', specs: ['4 json 2.6.3', '5 rack 2.2.8', '7 rake 13.0.6'], warnings: ['DUPLICATE_SPEC 6'] }],
];

describe('parseLockfile: the grammar Bundler writes', () => {
  it.each(GRAMMAR_CASES)('%s', (_name, expected) => {
    const lockfile = parseLockfile(fixture(expected.fixture), expected.fixture);
    expect(lockfile.file).toBe(expected.fixture);
    if (expected.specs) expect(specSummary(lockfile)).toEqual(expected.specs);
    for (const [name, source] of Object.entries(expected.sources ?? {})) expect(sourceOf(lockfile, name), name).toEqual(source);
    if (expected.platforms) expect(lockfile.platforms).toEqual(expected.platforms);
    if (expected.dependencies) expect(lockfile.dependencies).toEqual(expected.dependencies);
    for (const [name, dependencies] of Object.entries(expected.specDependencies ?? {})) {
      expect(lockfile.specs.find((spec) => spec.name === name)?.dependencies, name).toEqual(dependencies);
    }
    if (expected.checksums) expect(lockfile.checksums).toEqual(expected.checksums);
    if (expected.rubyVersion !== undefined) expect(lockfile.rubyVersion).toBe(expected.rubyVersion);
    if (expected.bundledWith !== undefined) expect(lockfile.bundledWith).toBe(expected.bundledWith);
    expect(lockfile.warnings.map((warning) => `${warning.code} ${warning.line}`)).toEqual(expected.warnings ?? []);
  });

  it('gives every spec of one source section the same source', () => {
    const lockfile = parseLockfile(fixture('git-sources.lock'), 'git-sources.lock');
    const rails = lockfile.specs.filter((spec) => spec.source.type === 'git' && spec.source.remote.endsWith('/rails.git'));
    expect(rails.map((spec) => spec.name)).toEqual(['actionpack', 'actionview', 'activesupport', 'railties']);
    expect(new Set(rails.map((spec) => spec.source)).size).toBe(1);
  });

  it('names the unknown section in its warning', () => {
    const [warning] = parseLockfile(fixture('unknown-section.lock'), 'Gemfile.lock').warnings;
    expect(warning?.message).toContain('"FUTURE SECTION"');
  });

  it('accepts a lockfile with no gems at all (an empty Gemfile)', () => {
    const lockfile = parseLockfile('PLATFORMS\n  ruby\n\nDEPENDENCIES\n\nBUNDLED WITH\n   2.4.22\n', 'Gemfile.lock');
    expect(lockfile.specs).toEqual([]);
    expect(lockfile.platforms).toEqual(['ruby']);
    expect(lockfile.bundledWith).toBe('2.4.22');
  });

  it('accepts an empty specs: list and a GEM section without a remote', () => {
    const lockfile = parseLockfile('GEM\n  specs:\n\nPATH\n  remote: .\n  specs:\n    app (1.0.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  app!\n', 'Gemfile.lock');
    expect(specSummary(lockfile)).toEqual(['7 app 1.0.0']);
  });
});

describe('parseLockfile: line endings, byte-order mark and trailing whitespace', () => {
  const original = fixture('checksums.lock');
  const expected = parseLockfile(original, 'Gemfile.lock');
  const lineNumbers = (lockfile: Lockfile) => [...[...lockfile.specs, ...lockfile.dependencies].map((entry) => entry.line), lockfile.rubyVersionLine];
  const withoutLineNumbers = (lockfile: Lockfile) => ({
    ...lockfile,
    rubyVersionLine: lockfile.rubyVersionLine === undefined ? undefined : 0,
    specs: lockfile.specs.map((spec) => ({ ...spec, line: 0 })),
    dependencies: lockfile.dependencies.map((dependency) => ({ ...dependency, line: 0 })),
    warnings: [],
  });

  it.each([
    ['CRLF line endings', original.replaceAll('\n', '\r\n'), [], true],
    ['trailing spaces and tabs on every line, headers included', original.replaceAll('\n', ' \t \n'), [], true],
    ['a UTF-8 byte-order mark (warned about: Bundler drops the first section)', `\uFEFF${original}`, ['BYTE_ORDER_MARK 1'], true],
    ['all three at once', `\uFEFF${original.replaceAll('\n', '  \r\n')}`, ['BYTE_ORDER_MARK 1'], true],
    ['extra blank lines, some made of whitespace', original.replaceAll('\n\n', '\n   \n\n\t\n'), [], false],
  ])('%s parse the same as the plain file', (_name, text, warnings, sameLines) => {
    const lockfile = parseLockfile(text, 'Gemfile.lock');
    expect(lockfile.warnings.map((warning) => `${warning.code} ${warning.line}`)).toEqual(warnings);
    expect(withoutLineNumbers(lockfile)).toEqual(withoutLineNumbers(expected));
    if (sameLines) expect(lineNumbers(lockfile)).toEqual(lineNumbers(expected));
    else expect(lineNumbers(lockfile)).not.toEqual(lineNumbers(expected));
  });
});

const VALID_TAIL = '\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack\n\nBUNDLED WITH\n   2.4.22\n';
const GEM_HEAD = 'GEM\n  remote: https://rubygems.org/\n  specs:\n';
/** A lockfile whose GEM section holds `specLines` (starting on line 4). */
const withSpecs = (...specLines: string[]) => `${GEM_HEAD}${specLines.join('\n')}\n${VALID_TAIL}`;

describe('parseLockfile: what cannot be read is an error with its code and line', () => {
  it.each([
    // Merge conflicts are found before anything else, wherever they are.
    ['merge-conflict markers inside specs:', fixture('conflict.lock'), 'LOCKFILE_CONFLICT', 5, 'unresolved merge conflicts'],
    ['a lone ======= line', withSpecs('    rack (2.2.8)', '======='), 'LOCKFILE_CONFLICT', 5, 'bundle lock'],
    ['a >>>>>>> line first in the file', `>>>>>>> main\n${withSpecs('    rack (2.2.8)')}`, 'LOCKFILE_CONFLICT', 1, 'merge conflicts'],
    ['a diff3 ||||||| base marker', withSpecs('    rack (2.2.8)', '||||||| merged common ancestors', '    rack (2.2.7)'), 'LOCKFILE_CONFLICT', 5, 'merge conflicts'],
    ['an empty file', '', 'LOCKFILE_EMPTY', 1, 'empty'],
    ['a file of blank lines', '\n  \r\n\t\n', 'LOCKFILE_EMPTY', 1, 'empty'],
    ['a Gemfile', "source 'https://rubygems.org'\n\ngem 'rails', '~> 7.1'\n", 'LOCKFILE_NOT_A_LOCKFILE', 1, 'Gemfile'],
    ['a Gemfile starting with a magic comment', '\n# frozen_string_literal: true\nsource "https://rubygems.org"\n', 'LOCKFILE_NOT_A_LOCKFILE', 2, 'Gemfile'],
    ['a Bundler 0.9 YAML lockfile', '---\ndependencies:\n  rack:\n', 'LOCKFILE_NOT_A_LOCKFILE', 1, 'YAML'],
    ['text decoded from UTF-16 (NUL characters)', 'G\0E\0M\0\n\0', 'LOCKFILE_NOT_A_LOCKFILE', 1, 'NUL'],
    ['an indented line before any header', '  remote: https://rubygems.org/\n', 'LOCKFILE_NOT_A_LOCKFILE', 1, 'before any section header'],
    ['only sections gemleak does not know', 'README\n  this is not a lockfile\n', 'LOCKFILE_NOT_A_LOCKFILE', 1, 'no section'],
    // Truncation.
    ['a file cut in the middle of a spec line', fixture('truncated.lock'), 'LOCKFILE_TRUNCATED', 24, 'cut off'],
    ['a file cut after a whole spec line (no PLATFORMS or DEPENDENCIES)', `${GEM_HEAD}    rack (2.2.8)\n    rake (13.0.6)\n`, 'LOCKFILE_TRUNCATED', 5, 'cut off'],
    ['a file cut inside a dependency line', `${GEM_HEAD}    rack-test (2.1.0)\n      rack (>= 1.3`, 'LOCKFILE_TRUNCATED', 5, 'middle of a line'],
    ['a file cut after a spec name', `${GEM_HEAD}    rack (2.2.8)\n    rak`, 'LOCKFILE_TRUNCATED', 5, 'no version'],
    ['a source section with no specs: line', `GEM\n  remote: https://rubygems.org/\n${VALID_TAIL}`, 'LOCKFILE_TRUNCATED', 1, 'specs:'],
    ['a file that ends with a section header', `${withSpecs('    rack (2.2.8)')}CHECKSUMS\n`, 'LOCKFILE_TRUNCATED', 14, 'right after the CHECKSUMS header'],
    ['a file that ends inside a section header', `${withSpecs('    rack (2.2.8)')}BUNDLED WI`, 'LOCKFILE_TRUNCATED', 14, 'start of a section header'],
    ['a file cut inside an option line', 'GEM\n  remote: https://rubygems.org/\n  spe', 'LOCKFILE_TRUNCATED', 3, 'cut off'],
    // Indentation.
    ['a spec indented with a tab', withSpecs('\track (2.2.8)'), 'LOCKFILE_BAD_INDENT', 4, 'tab'],
    ['a spec indented 3 spaces', withSpecs('    rack (2.2.8)', '   rake (13.0.6)'), 'LOCKFILE_BAD_INDENT', 5, '3 spaces'],
    ['a spec indented 5 spaces', withSpecs('     rack (2.2.8)'), 'LOCKFILE_BAD_INDENT', 4, '5 spaces'],
    ['a spec line before specs:', `GEM\n  remote: https://rubygems.org/\n    rack (2.2.8)\n  specs:\n${VALID_TAIL}`, 'LOCKFILE_BAD_INDENT', 3, 'before "  specs:"'],
    ['a dependency line with no spec above it', withSpecs('      rack (>= 2)'), 'LOCKFILE_BAD_INDENT', 4, 'no locked gem above it'],
    ['a 2-space line after specs:', withSpecs('    rack (2.2.8)', '  rake (13.0.6)'), 'LOCKFILE_BAD_INDENT', 5, 'after "  specs:"'],
    ['a DEPENDENCIES entry indented 4 spaces', `${withSpecs('    rack (2.2.8)')}`.replace('  rack\n', '    rack\n'), 'LOCKFILE_BAD_INDENT', 10, 'expected 2'],
    ['a PLATFORMS entry indented with a tab', withSpecs('    rack (2.2.8)').replace('  ruby', '\truby'), 'LOCKFILE_BAD_INDENT', 7, 'tab'],
    ['a BUNDLED WITH value indented 6 spaces', withSpecs('    rack (2.2.8)').replace('   2.4.22', '      2.4.22'), 'LOCKFILE_BAD_INDENT', 13, '6 spaces'],
    // Specs.
    ['a spec without a version', withSpecs('    rack', '    rake (13.0.6)'), 'LOCKFILE_BAD_SPEC', 4, 'no version'],
    ['a version that is not a RubyGems version', withSpecs('    rake (13.0.6 beta)'), 'LOCKFILE_BAD_SPEC', 4, '"13.0.6 beta" is not a valid RubyGems version'],
    ['an empty version', withSpecs('    rake ()'), 'LOCKFILE_BAD_SPEC', 4, 'not a valid RubyGems version'],
    ['a version with no digits', withSpecs('    rake (latest)'), 'LOCKFILE_BAD_SPEC', 4, 'not a valid RubyGems version'],
    ['an empty platform after the dash', withSpecs('    nokogiri (1.16.2-)'), 'LOCKFILE_BAD_SPEC', 4, 'invalid platform'],
    ['text after the closing parenthesis', withSpecs('    rack (2.2.8) (2.2.9)'), 'LOCKFILE_BAD_SPEC', 4, 'after the version'],
    ['a missing closing parenthesis (not on the last line)', withSpecs('    rack (2.2.8', '    rake (13.0.6)'), 'LOCKFILE_BAD_SPEC', 4, 'closing parenthesis'],
    ['a gem name with a space', withSpecs('    my gem (1.0.0)'), 'LOCKFILE_BAD_SPEC', 4, 'invalid gem name'],
    // Dependencies.
    ['a bad requirement under a spec', withSpecs('    rack-test (2.1.0)', '      rack (>= one)'), 'LOCKFILE_BAD_DEPENDENCY', 5, '">= one"'],
    ['a bad requirement in DEPENDENCIES', withSpecs('    rack (2.2.8)').replace('  rack\n', '  rack (~> 2.2, =< 3)\n'), 'LOCKFILE_BAD_DEPENDENCY', 10, '"=< 3"'],
    // Sections and other lines.
    ['a lower-case header', withSpecs('    rack (2.2.8)').replace('PLATFORMS', 'platforms'), 'LOCKFILE_BAD_LINE', 6, 'did you mean PLATFORMS?'],
    ['an option line without a colon', `GEM\n  remote https://rubygems.org/\n  specs:\n    rack (2.2.8)\n${VALID_TAIL}`, 'LOCKFILE_BAD_LINE', 2, 'not an option line'],
    ['an option without a value', `GEM\n  remote:\n  specs:\n    rack (2.2.8)\n${VALID_TAIL}`, 'LOCKFILE_BAD_LINE', 2, 'no value'],
    ['a malformed CHECKSUMS line', `${withSpecs('    rack (2.2.8)')}\nCHECKSUMS\n  rack sha256=abc\n`, 'LOCKFILE_BAD_LINE', 16, 'CHECKSUMS'],
    ['two BUNDLED WITH values', `${withSpecs('    rack (2.2.8)')}   2.5.0\n`, 'LOCKFILE_BAD_LINE', 14, 'second BUNDLED WITH'],
    ['a GIT section without a revision', `GIT\n  remote: https://github.com/rack/rack.git\n  specs:\n    rack (3.1.0)\n${VALID_TAIL}`, 'LOCKFILE_BAD_SECTION', 1, '"revision:"'],
    ['a PATH section without a remote', `PATH\n  specs:\n    app (1.0.0)\n${VALID_TAIL}`, 'LOCKFILE_BAD_SECTION', 1, '"remote:"'],
    [
      'a GIT section with two remotes',
      `GIT\n  remote: https://a.example/x.git\n  remote: https://b.example/x.git\n  revision: abc\n  specs:\n    x (1.0)\n${VALID_TAIL}`,
      'LOCKFILE_BAD_SECTION',
      3,
      'second "remote:"',
    ],
    [
      'a RUBY VERSION section with no value',
      `${GEM_HEAD}    rack (2.2.8)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack\n\nRUBY VERSION\n\nBUNDLED WITH\n   2.4.22\n`,
      'LOCKFILE_BAD_SECTION',
      12,
      'no value',
    ],
  ])('%s', (_name, text, code, line, fragment) => {
    const error = parseError(text);
    expect({ code: error.code, line: error.line, file: error.file, exitCode: error.exitCode }).toEqual({ code, line, file: 'Gemfile.lock', exitCode: 2 });
    expect(error.message).toContain(fragment);
    expect(error.message).toMatch(/expected/);
    expect(error.message).not.toContain('\n');
  });
});

describe('parseLockfile: speed', () => {
  /** A lockfile shaped like a big app's: `count` gems, each with three dependency lines. */
  function bigLockfile(count: number): string {
    const specs: string[] = [];
    for (let index = 0; index < count; index++) {
      specs.push(`    gem-${index} (1.${index % 17}.${index})`, `      activesupport (>= 6.1, < 8)`, `      rack (~> 2.2, >= 2.2.4)`, `      zeitwerk`);
    }
    return `${GEM_HEAD}${specs.join('\n')}\n${VALID_TAIL}`;
  }

  it('parses 700 gems in a few milliseconds', () => {
    const text = bigLockfile(700);
    const times: number[] = [];
    for (let run = 0; run < 15; run++) {
      const start = performance.now();
      expect(parseLockfile(text, 'Gemfile.lock').specs).toHaveLength(700);
      times.push(performance.now() - start);
    }
    // The fastest of several runs: the machine is shared, but a quadratic slip costs far more than this.
    expect(Math.min(...times)).toBeLessThan(10);
  });

  it.each([
    ['a long run of spaces inside parentheses', `    rack (1${' '.repeat(200_000)}x)`],
    ['a long dotted version that fails at the end', `    rack (1${'.1'.repeat(100_000)}.)`],
    ['a long requirement list that fails at the end', `    rack (1.0)\n      rake (${'>= 1, '.repeat(50_000)}>= x)`],
  ])('rejects %s quickly (no regex backtracking)', (_name, line) => {
    const start = performance.now();
    expect(() => parseLockfile(`${GEM_HEAD}${line}\n${VALID_TAIL}`, 'Gemfile.lock')).toThrow(GemleakError);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('a lockfile Bundler before 1.10 writes for a Gemfile without gems', () => {
  it('ends with an empty DEPENDENCIES section and no BUNDLED WITH: valid, 0 gems', () => {
    const text = 'GEM\n  remote: https://rubygems.org/\n  specs:\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n';
    const lockfile = parseLockfile(text, 'Gemfile.lock');
    expect(lockfile.specs).toEqual([]);
    expect(lockfile.dependencies).toEqual([]);
    expect(lockfile.bundledWith).toBeNull();
  });

  it('a file cut right after a GEM header still looks cut off', () => {
    expect(() => parseLockfile('GEM\n', 'Gemfile.lock')).toThrow(/looks cut off/);
  });
});
