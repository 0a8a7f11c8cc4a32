import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  detectRubyVersion,
  rubyVersionFromDockerfile,
  rubyVersionFromDotFile,
  rubyVersionFromGemfile,
  rubyVersionFromLockfile,
  rubyVersionFromMise,
  rubyVersionFromToolVersions,
} from '../../src/runtime/index.js';

type Reader = (text: string, file: string) => ReturnType<typeof rubyVersionFromDotFile>;
interface Row {
  name: string;
  reader: Reader;
  text: string;
  /** [line, engine, version, engineVersion, requirement] or null for nothing found. */
  expected: [number, string, string | null, string | null, string | null] | null;
}

const LOCK = (value: string) => `GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rake\n\nRUBY VERSION\n${value}\n\nBUNDLED WITH\n   2.5.6\n`;

const ROWS: Row[] = [
  { name: 'lockfile ruby 3.3.0p0', reader: rubyVersionFromLockfile, text: LOCK('   ruby 3.3.0p0'), expected: [13, 'ruby', '3.3.0', null, null] },
  { name: 'lockfile without patch level', reader: rubyVersionFromLockfile, text: LOCK('   ruby 3.2.4'), expected: [13, 'ruby', '3.2.4', null, null] },
  { name: 'lockfile JRuby', reader: rubyVersionFromLockfile, text: LOCK('   ruby 3.1.4p0 (jruby 9.4.5.0)'), expected: [13, 'jruby', '3.1.4', '9.4.5.0', null] },
  { name: 'lockfile preview', reader: rubyVersionFromLockfile, text: LOCK('   ruby 3.4.0.preview1'), expected: [13, 'ruby', '3.4.0.preview1', null, null] },
  { name: 'lockfile indented 2 spaces (Bundler 4)', reader: rubyVersionFromLockfile, text: LOCK('  ruby 3.4.1'), expected: [13, 'ruby', '3.4.1', null, null] },
  {
    name: 'lockfile CRLF, trailing space on the header',
    reader: rubyVersionFromLockfile,
    text: LOCK('   ruby 3.3.0p0').replace('RUBY VERSION', 'RUBY VERSION ').replaceAll('\n', '\r\n'),
    expected: [13, 'ruby', '3.3.0', null, null],
  },
  { name: 'lockfile RUBY VERSION not at the start of a line', reader: rubyVersionFromLockfile, text: LOCK('   ruby 3.3.0p0').replace('RUBY VERSION', ' RUBY VERSION'), expected: null },
  { name: 'lockfile RUBY VERSION with no value line', reader: rubyVersionFromLockfile, text: 'GEM\n  specs:\n\nRUBY VERSION\n\nBUNDLED WITH\n   2.5.6\n', expected: null },
  { name: 'lockfile without RUBY VERSION', reader: rubyVersionFromLockfile, text: 'GEM\n  specs:\n\nBUNDLED WITH\n   2.5.6\n', expected: null },
  { name: '.ruby-version bare', reader: rubyVersionFromDotFile, text: '3.3.0\n', expected: [1, 'ruby', '3.3.0', null, null] },
  { name: '.ruby-version ruby- prefix, comment first', reader: rubyVersionFromDotFile, text: '# pinned\n\nruby-3.2.2\n', expected: [3, 'ruby', '3.2.2', null, null] },
  { name: '.ruby-version partial', reader: rubyVersionFromDotFile, text: '3.3\n', expected: [1, 'ruby', null, null, '~> 3.3.0'] },
  { name: '.ruby-version jruby', reader: rubyVersionFromDotFile, text: 'jruby-9.4.5.0\n', expected: [1, 'jruby', null, '9.4.5.0', null] },
  { name: '.ruby-version CRLF', reader: rubyVersionFromDotFile, text: '3.1.4\r\n', expected: [1, 'ruby', '3.1.4', null, null] },
  { name: '.tool-versions', reader: rubyVersionFromToolVersions, text: 'nodejs 20.11.0\nruby 3.3.1 3.2.4\n', expected: [2, 'ruby', '3.3.1', null, null] },
  { name: '.tool-versions truffleruby', reader: rubyVersionFromToolVersions, text: 'ruby truffleruby-24.1.0\n', expected: [1, 'truffleruby', null, '24.1.0', null] },
  { name: '.tool-versions without ruby', reader: rubyVersionFromToolVersions, text: 'nodejs 20\n', expected: null },
  { name: 'mise.toml string', reader: rubyVersionFromMise, text: '[env]\nX = "1"\n\n[tools]\nnode = "20"\nruby = "3.3.5"\n', expected: [6, 'ruby', '3.3.5', null, null] },
  { name: 'mise.toml list', reader: rubyVersionFromMise, text: '[tools]\nruby = ["3.2.2", "3.3.0"]\n', expected: [2, 'ruby', '3.2.2', null, null] },
  { name: 'mise.toml table', reader: rubyVersionFromMise, text: '[tools]\nruby = { version = "3.3.0" }\n', expected: [2, 'ruby', '3.3.0', null, null] },
  { name: 'mise.toml dotted key', reader: rubyVersionFromMise, text: 'tools.ruby = "3.1.6"\n', expected: [1, 'ruby', '3.1.6', null, null] },
  { name: 'Gemfile ruby "3.3.0"', reader: rubyVersionFromGemfile, text: 'source "https://rubygems.org"\n\nruby "3.3.0"\ngem "rails"\n', expected: [3, 'ruby', '3.3.0', null, null] },
  { name: "Gemfile ruby '~> 3.3'", reader: rubyVersionFromGemfile, text: "ruby '~> 3.3'\n", expected: [1, 'ruby', null, null, '~> 3.3'] },
  { name: 'Gemfile ruby file:', reader: rubyVersionFromGemfile, text: 'ruby file: ".ruby-version"\n', expected: [1, 'ruby', null, null, 'file: .ruby-version'] },
  { name: 'Gemfile JRuby engine', reader: rubyVersionFromGemfile, text: 'ruby "3.1.4", engine: "jruby", engine_version: "9.4.5.0"\n', expected: [1, 'jruby', '3.1.4', '9.4.5.0', null] },
  { name: 'Gemfile commented out', reader: rubyVersionFromGemfile, text: '# ruby "2.7.0"\ngem "rake"\n', expected: null },
  { name: 'Dockerfile FROM ruby:3.3.0-slim', reader: rubyVersionFromDockerfile, text: 'FROM ruby:3.3.0-slim\n', expected: [1, 'ruby', '3.3.0', null, null] },
  {
    name: 'Dockerfile Rails ARG',
    reader: rubyVersionFromDockerfile,
    text: '# syntax=docker/dockerfile:1\nARG RUBY_VERSION=3.3.4\nFROM docker.io/library/ruby:$RUBY_VERSION-slim AS base\n',
    expected: [2, 'ruby', '3.3.4', null, null],
  },
  { name: 'Dockerfile ${RUBY_VERSION}', reader: rubyVersionFromDockerfile, text: 'ARG RUBY_VERSION="3.2.2"\nFROM ruby:${RUBY_VERSION}-alpine\n', expected: [1, 'ruby', '3.2.2', null, null] },
  { name: 'Dockerfile partial tag', reader: rubyVersionFromDockerfile, text: 'FROM --platform=linux/amd64 ruby:3.3-alpine AS build\n', expected: [1, 'ruby', null, null, '~> 3.3.0'] },
  { name: 'Dockerfile not a Ruby image', reader: rubyVersionFromDockerfile, text: 'FROM debian:bookworm\n', expected: null },
];

describe('Ruby version readers', () => {
  it.each(ROWS)('$name', ({ reader, text, expected }) => {
    const found = reader(text, 'F');
    if (expected === null) {
      expect(found).toBeNull();
      return;
    }
    expect(found).not.toBeNull();
    const [line, engine, version, engineVersion, requirement] = expected;
    expect({ line: found!.line, engine: found!.engine, version: found!.version, engineVersion: found!.engineVersion, requirement: found!.requirement }).toEqual({
      line,
      engine,
      version,
      engineVersion,
      requirement,
    });
    expect(found!.file).toBe('F');
  });

  it('a mise.toml that is not TOML throws (the caller turns it into a warning)', () => {
    expect(() => rubyVersionFromMise('[tools\nruby = ', 'mise.toml')).toThrow();
  });
});

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gemleak-runtime-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('detectRubyVersion', () => {
  it('prefers the lockfile, lists every source most authoritative first', () => {
    const dir = app({ 'Gemfile.lock': LOCK('   ruby 3.3.0p0'), '.ruby-version': '3.3.1\n', Dockerfile: 'ARG RUBY_VERSION=3.2.2\nFROM ruby:$RUBY_VERSION\n', Gemfile: 'ruby file: ".ruby-version"\n' });
    const found = detectRubyVersion(dir);
    expect(found.chosen).toMatchObject({ kind: 'lockfile', version: '3.3.0', patchlevel: 'p0', line: 13 });
    expect(found.sources.map((s) => `${s.kind}:${s.line}`)).toEqual(['lockfile:13', 'ruby-version:1', 'gemfile:1', 'dockerfile:1']);
  });

  it('falls back past a requirement to the next exact version', () => {
    const dir = app({ Gemfile: 'ruby "~> 3.3"\n', Dockerfile: 'FROM ruby:3.3.5-slim\n' });
    expect(detectRubyVersion(dir).chosen).toMatchObject({ kind: 'dockerfile', version: '3.3.5' });
  });

  it('nothing written anywhere: chosen is null, no warnings', () => {
    expect(detectRubyVersion(app({ 'README.md': 'hi\n' }))).toEqual({ chosen: null, sources: [], warnings: [] });
  });

  it('follows `ruby file:` to another file', () => {
    const dir = app({ Gemfile: 'ruby file: "config/ruby-version"\n', 'config/ruby-version': '3.2.5\n' });
    expect(detectRubyVersion(dir).chosen).toMatchObject({ version: '3.2.5', file: path.join(dir, 'config/ruby-version') });
  });

  it('a bad mise.toml is a warning naming the file', () => {
    const found = detectRubyVersion(app({ 'mise.toml': '[tools\n' }));
    expect(found.chosen).toBeNull();
    expect(found.warnings).toHaveLength(1);
    expect(found.warnings[0]!.message).toMatch(/^not valid TOML/);
  });

  it('never follows a symlink out of the app folder, and refuses a FIFO', () => {
    const outside = app({ 'ruby-version': '2.7.0\n' });
    const dir = app({});
    symlinkSync(path.join(outside, 'ruby-version'), path.join(dir, '.ruby-version'));
    execFileSync('mkfifo', [path.join(dir, '.tool-versions')]);
    const found = detectRubyVersion(dir);
    expect(found.chosen).toBeNull();
    expect(found.warnings.map((w) => `${path.basename(w.file)}: ${w.message}`)).toEqual([
      '.ruby-version: is a symlink that leads out of the app folder; not followed',
      '.tool-versions: is not a regular file (a FIFO, device or folder); refused',
    ]);
  });

  it('`ruby file:` naming a path outside the app is not read', () => {
    const outside = app({ 'ruby-version': '2.7.0\n' });
    const dir = app({ Gemfile: `ruby file: "../${path.basename(outside)}/ruby-version"\n` });
    const found = detectRubyVersion(dir);
    expect(found.chosen).toBeNull();
    expect(found.warnings.map((w) => w.message)).toEqual(['is outside the app folder; not read']);
  });

  it('a symlink inside the app folder is followed', () => {
    const dir = app({ 'config/ruby': '3.3.6\n' });
    symlinkSync('config/ruby', path.join(dir, '.ruby-version'));
    expect(detectRubyVersion(dir).chosen).toMatchObject({ version: '3.3.6' });
  });

  it('an oversized file is not read', () => {
    const found = detectRubyVersion(app({ '.ruby-version': `3.3.0\n${'#'.repeat(2 * 1024 * 1024)}\n` }));
    expect(found.chosen).toBeNull();
    expect(found.warnings[0]!.message).toMatch(/over the 1048576-byte limit/);
  });
});
