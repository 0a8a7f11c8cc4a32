import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temp folder; the caller removes it. */
export function tempDir(prefix = 'gemleak-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files given as `{ 'relative/path': 'text' }` below `root`. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** A minimal valid lockfile locking the given `name (version)` specs from rubygems.org. */
export function lockfileWith(specs: string[], platforms = ['ruby']): string {
  const names = specs.map((spec) => spec.split(' ')[0]);
  return [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    ...specs.map((spec) => `    ${spec}`),
    '',
    'PLATFORMS',
    ...platforms.map((platform) => `  ${platform}`),
    '',
    'DEPENDENCIES',
    ...[...new Set(names)].map((name) => `  ${name}`),
    '',
    'BUNDLED WITH',
    '   2.4.22',
    '',
  ].join('\n');
}

/** An advisory file in the ruby-mem-advisory-db schema. */
export function advisoryFile(gem: string, fields: { leaky?: string[]; patched?: string[]; unaffected?: string[]; title?: string; platform?: string }): string {
  const list = (key: string, values: string[] | undefined) => (values && values.length > 0 ? `${key}:\n${values.map((v) => `  - "${v}"`).join('\n')}\n` : '');
  return (
    [
      '---',
      `gem: ${gem}`,
      `url: https://example.com/${gem}/issues/1`,
      `title: ${fields.title ?? `${gem} keeps every request alive`}`,
      'date: 2020-02-03',
      'description: |',
      `  ${gem} holds on to memory.`,
      fields.platform ? `platform: ${fields.platform}` : '',
      '',
    ].join('\n') +
    list('leaky_versions', fields.leaky) +
    list('patched_versions', fields.patched) +
    list('unaffected_versions', fields.unaffected)
  );
}

/** A small database: redis 612 (leaky = 3.2.2, = 3.3.0; patched >= 3.3.1) and one for oj without a fix. */
export function writeSmallDatabase(root: string): void {
  writeTree(root, {
    'gems/redis/612.yml': advisoryFile('redis', { leaky: ['= 3.2.2', '= 3.3.0'], patched: ['>= 3.3.1'], title: 'Timeout threads pile up' }),
    'gems/oj/1.yml': advisoryFile('oj', { leaky: ['< 1.0'] }),
  });
}
