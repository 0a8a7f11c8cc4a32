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
    const inFolder = files.filter((f) => path.relative(src, f).startsWith(`${folder}${path.sep}`));
    expect(inFolder.length, `no source file in src/${folder}`).toBeGreaterThan(0);
    const violations: string[] = [];
    for (const file of inFolder) {
      for (const specifier of importsOf(file)) {
        const target = targetOf(file, specifier);
        if (target === null || target === folder || SHARED_FILES.has(target)) continue;
        if (!ALLOWED[folder]!.includes(target)) violations.push(`${path.relative(src, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the shared top-level files import only each other; the library entry never the CLI', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => path.dirname(f) === src)) {
      const name = path.basename(file, '.ts');
      for (const specifier of importsOf(file)) {
        const target = targetOf(file, specifier);
        if (target === null) continue;
        if (name === 'index' ? target === 'cli' : !SHARED_FILES.has(target)) violations.push(`${name}.ts imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('no module imports itself back through others (no cycles among static imports)', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        staticImportsOf(file)
          .map((specifier) => resolveModule(file, specifier))
          .filter((target): target is string => target !== null),
      ]),
    );
    expect(findCycles(graph).map((cycle) => cycle.map((file) => path.relative(src, file)).join(' -> '))).toEqual([]);
  });

  it('reads every import form: both quote styles, side effects, re-exports, dynamic imports', () => {
    const forms = [`import a from './a.js';`, `import "./b.js";`, `export { c } from "./c.js";`, `const d = await import( './d.js' );`, `import type { E } from "./e.js";`, `export * from './f.js';`];
    expect(specifiersIn(forms.join('\n'))).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('every src/ folder has a rule', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });
});

/** Every module specifier in a source text: `from`, side-effect `import`, `export ... from`, `import()`; either quote. */
function specifiersIn(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm)].map((match) => match[2]!);
}

function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'));
}

/** The imports evaluated when the module loads: not `import()` (lazy by design) and not type-only ones. */
function staticImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s*)?)(['"])([^'"]+)\1/gm)].map((match) => match[2]!);
}

function resolveModule(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return path.resolve(path.dirname(from), specifier).replace(/\.js$/, '.ts');
}

/** Each cycle once, as the list of modules on it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
