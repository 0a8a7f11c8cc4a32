import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

/**
 * Modules import only downward. Each folder of src/ may import its own files and the folders listed
 * for it here, nothing else; nothing but the CLI imports the CLI. The top-level files (errors,
 * version, package-root) are shared by all.
 */
const ALLOWED: Record<string, string[]> = {
  versions: [],
  lockfile: [],
  heap: [],
  hook: [],
  trend: [],
  advisories: ['versions'],
  audit: ['versions', 'lockfile', 'advisories'],
  runtime: ['lockfile', 'versions'],
  doctor: ['runtime', 'lockfile', 'versions', 'advisories', 'audit'],
  report: ['audit', 'advisories', 'lockfile', 'heap', 'versions', 'trend', 'doctor', 'runtime'],
  config: ['audit', 'advisories'],
  check: ['versions', 'lockfile', 'hook', 'advisories', 'audit', 'config', 'runtime'],
  cli: ['versions', 'lockfile', 'heap', 'hook', 'advisories', 'audit', 'report', 'config', 'check', 'trend', 'doctor', 'runtime'],
};
const SHARED_FILES = new Set(['errors', 'version', 'package-root', 'formats', 'terminal', 'shell']);
// src/index.ts is the public library API: it may re-export anything but the CLI.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The src/ folder (or top-level file) an import points at. */
function targetOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.relative(path.join(repoRoot, 'src'), path.resolve(path.dirname(file), specifier));
  const [first] = target.split(path.sep);
  return first?.replace(/\.js$/, '') ?? null;
}

describe('architecture', () => {
  const src = path.join(repoRoot, 'src');
  const files = sourceFiles(src);

  it('finds the source folders', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(Object.keys(ALLOWED))('%s/ imports only what it may', (folder) => {
    const violations: string[] = [];
    for (const file of files.filter((f) => path.relative(src, f).startsWith(`${folder}${path.sep}`))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\(\s*)'([^']+)'/g)) {
        const target = targetOf(file, match[1]!);
        if (target === null || target === folder || SHARED_FILES.has(target)) continue;
        if (!ALLOWED[folder]!.includes(target)) violations.push(`${path.relative(src, file)} imports ${match[1]}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('every src/ folder has a rule', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });
});
