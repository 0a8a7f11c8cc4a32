import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError, isGemleakError } from '../errors.js';
import { loadAdvisoryDatabase } from './load.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { rangeProblems } from './ranges.js';
import type { Advisory, AdvisoryProblem } from './types.js';

/** Larger files are reported by the loader as not advisories; lint does not read them either. */
const MAX_LINT_BYTES = 256 * 1024;

export interface LintResult {
  root: string;
  /** Advisory files found (readable or not). */
  advisories: number;
  /** Every problem, sorted by file and line; paths relative to the root. */
  problems: AdvisoryProblem[];
}

/**
 * Everything wrong with a database folder, for the people who maintain one: what `check` would
 * skip (broken YAML, missing fields, bad requirements, symbolic links, bad names), plus what it
 * silently ignores (keys it does not know, files that are not `.yml`), the manifest, and an empty
 * database. Throws GemleakError DB_NOT_FOUND when the folder itself is missing.
 */
export async function lintAdvisoryDatabase(root: string): Promise<LintResult> {
  const absolute = path.resolve(root);
  const info = await lstat(absolute).catch(() => null);
  if (!info?.isDirectory()) throw new GemleakError('DB_NOT_FOUND', 'no such folder', { file: root });
  const problems: AdvisoryProblem[] = [];
  let advisories = 0;
  try {
    const database = await loadAdvisoryDatabase(absolute);
    advisories = database.keys.length;
    problems.push(...database.problems);
    if (advisories === 0) problems.push({ file: 'gems', message: 'no advisories: a database holds gems/<gem>/<id>.yml files' });
    const walked = await walkGems(absolute);
    problems.push(...walked.problems);
    problems.push(...(await unknownKeys(absolute, walked.advisoryFiles)));
    problems.push(...(await badRanges(absolute, database.advisories)));
  } catch (error) {
    if (!isGemleakError(error) || error.code !== 'DB_INVALID') throw error;
    problems.push({ file: 'gems', message: error.message });
  }
  try {
    const manifest = await readManifest(absolute);
    for (const { key, line } of manifest?.unknownKeys ?? []) {
      problems.push({ file: MANIFEST_FILE, line, message: `unknown key '${key}' (known: min_gemleak_version)` });
    }
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    problems.push({ file: MANIFEST_FILE, ...(error.line === undefined ? {} : { line: error.line }), message: error.message });
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { root: absolute, advisories, problems };
}

/**
 * Keys the schema does not know: `check` ignores them, so a typo (`patched_version`) silently drops
 * data. Looked for in broken advisories too, where a typo is often the very cause.
 */
/** Ranges that can never match, or that call one version both leaky and patched (or unaffected). */
async function badRanges(root: string, advisories: Advisory[]): Promise<AdvisoryProblem[]> {
  const found = await Promise.all(
    advisories.map(async (advisory) => {
      const problems = rangeProblems(advisory);
      if (problems.length === 0) return [];
      const lines = (await readFile(path.join(root, advisory.file), 'utf8')).split('\n');
      return problems.map(({ key, message }) => {
        const index = lines.findIndex((line) => line.startsWith(`${key}:`));
        return { file: advisory.file, ...(index < 0 ? {} : { line: index + 1 }), message };
      });
    }),
  );
  return found.flat();
}

async function unknownKeys(root: string, files: string[]): Promise<AdvisoryProblem[]> {
  const { unknownAdvisoryKeys } = await import('./schema.js');
  const found = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(root, file), 'utf8');
      return unknownAdvisoryKeys(text).map(({ key, line }) => ({ file, line, message: `unknown key '${key}': gemleak ignores it (a typo?)` }));
    }),
  );
  return found.flat();
}

/** Regular `.yml` files in gem folders (never through a symbolic link), and what `check` never reads: `.yaml` advisories, stray files. */
async function walkGems(root: string): Promise<{ advisoryFiles: string[]; problems: AdvisoryProblem[] }> {
  const problems: AdvisoryProblem[] = [];
  const advisoryFiles: string[] = [];
  const gemsDir = path.join(root, 'gems');
  for (const entry of await readdir(gemsDir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue; // reported by the loader
    if (!entry.isDirectory()) {
      problems.push({ file: `gems/${entry.name}`, message: 'not a gem folder: gems/ holds one folder per gem' });
      continue;
    }
    const inner = await readdir(path.join(gemsDir, entry.name), { withFileTypes: true }).catch(() => []);
    for (const file of inner) {
      const relative = `gems/${entry.name}/${file.name}`;
      if (file.name.endsWith('.yml')) {
        const info = file.isFile() ? await lstat(path.join(gemsDir, entry.name, file.name)) : null;
        if (info !== null && info.size <= MAX_LINT_BYTES) advisoryFiles.push(relative);
      } else if (file.name.endsWith('.yaml')) {
        problems.push({ file: relative, message: 'advisory files end in .yml: gemleak does not read .yaml' });
      } else {
        problems.push({ file: relative, message: 'not an advisory: gemleak reads only <id>.yml files here' });
      }
    }
  }
  return { advisoryFiles, problems };
}
