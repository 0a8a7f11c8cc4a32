import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError, isGemleakError } from '../errors.js';
import { GemVersion } from '../versions/index.js';
import { type AdvisoryFile, listAdvisoryFiles, readAdvisoryText } from './load.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { hasLowerBound, inLeakyRange, meetsOne, rangeProblems } from './ranges.js';
import type { ReadAdvisoryFile } from './schema.js';
import { type AdvisoryBase, type AdvisoryProblem, INTERPRETER_CONDITIONS, type InterpreterAdvisory, ignoreKeyOfFile } from './types.js';

export interface LintOptions {
  /**
   * Lint as gemleak's own bundled database: every advisory must carry its evidence (`trigger`; the
   * fix and its first release when patched; what introduced the leak when the range has a start),
   * and `corrects:` is allowed. Other databases need no evidence, and cannot correct anyone.
   */
  bundled?: boolean;
}

export interface LintResult {
  root: string;
  /** Advisory files found (readable or not). */
  advisories: number;
  /** Every problem, sorted by file and line; paths relative to the root. */
  problems: AdvisoryProblem[];
}

/**
 * Everything wrong with a database folder, for the people who maintain one, every problem of every
 * file in one pass: what `check` would skip (broken YAML, missing fields, bad requirements, symbolic
 * links, bad names), what it silently ignores (keys it does not know, files that are not `.yml`),
 * ranges that never match or contradict themselves, evidence that disagrees with the ranges, ignore
 * keys that name two advisories, and the manifest. Throws GemleakError DB_NOT_FOUND when the folder
 * itself is missing, DB_INVALID when it is not an advisory database (no usable `gems/`).
 */
export async function lintAdvisoryDatabase(root: string, options: LintOptions = {}): Promise<LintResult> {
  const absolute = path.resolve(root);
  // The folder the user names may be a link (as `check --database` accepts); links inside it are not followed.
  const info = await stat(absolute).catch(() => null);
  if (info === null) throw new GemleakError('DB_NOT_FOUND', 'no such folder', { file: root });
  if (!info.isDirectory()) throw new GemleakError('DB_NOT_FOUND', 'not a folder; db lint takes the database folder (the one holding gems/)', { file: root });
  const problems: AdvisoryProblem[] = [];
  const files = await listAdvisoryFiles(absolute, problems);
  if (files.length === 0) problems.push({ file: 'gems', message: 'no advisories: a database holds gems/<gem>/<id>.yml files' });
  const [perFile, stray] = await Promise.all([Promise.all(files.map((file) => lintFile(file, options))), strayFiles(absolute)]);
  problems.push(...perFile.flat(), ...stray, ...ambiguousKeys(files));
  problems.push(...(await manifestProblems(absolute)));
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { root: absolute, advisories: files.length, problems };
}

async function lintFile(entry: AdvisoryFile, options: LintOptions): Promise<AdvisoryProblem[]> {
  const read = await readAdvisoryText(entry.absolute);
  if ('problem' in read) return [{ file: entry.file, message: read.problem }];
  const { readAdvisoryFile, readInterpreterAdvisoryFile } = await import('./schema.js');
  const location = { file: entry.file, id: entry.id };
  const result: ReadAdvisoryFile<AdvisoryBase> =
    entry.kind === 'gem' ? readAdvisoryFile(read.text, { ...location, gemFolder: entry.folder }) : readInterpreterAdvisoryFile(read.text, { ...location, engineFolder: entry.folder });
  const at = (message: string, key?: string): AdvisoryProblem => {
    const line = key === undefined ? undefined : result.lineOf(key);
    return line === undefined ? { file: entry.file, message } : { file: entry.file, line, message };
  };
  const problems = [
    ...result.problems.map((problem) => ({ file: entry.file, ...problem })),
    ...result.unknownKeys.map(({ key, line }) => ({ file: entry.file, line, message: `unknown key '${key}': gemleak ignores it (a typo?)` })),
  ];
  const advisory = result.partial;
  if (advisory === null) return problems;
  const rangesRead = !['leaky_versions', 'patched_versions', 'unaffected_versions'].some((key) => result.badKeys.has(key));
  // A withdrawn advisory flags nothing by design: its ranges and evidence are history, not claims.
  if (rangesRead && !advisory.withdrawn) {
    problems.push(...rangeProblems(advisory).map(({ key, message }) => at(message, key)));
    problems.push(...evidenceProblems(advisory, result.badKeys).map(({ key, message }) => at(message, key)));
  }
  if (options.bundled) {
    if (!advisory.withdrawn) problems.push(...bundledRequirements(advisory, result.badKeys).map(({ key, message }) => at(message, key)));
  } else if ((advisory.corrects ?? []).length > 0) {
    problems.push(at("'corrects' only takes effect in gemleak's bundled database: here it is ignored", 'corrects'));
  }
  const condition = (advisory as Partial<InterpreterAdvisory>).appliesWhen?.condition;
  if (condition && !INTERPRETER_CONDITIONS.includes(condition)) {
    problems.push(at(`unknown applies_when condition '${condition}' (known: ${INTERPRETER_CONDITIONS.join(', ')})`, 'applies_when.condition'));
  }
  return problems;
}

interface KeyedProblem {
  key: string;
  message: string;
}

/** Evidence that contradicts the ranges: the first fixed release must not be flagged, the first leaky one must be. */
function evidenceProblems(advisory: AdvisoryBase, badKeys: ReadonlySet<string>): KeyedProblem[] {
  const evidence = advisory.evidence;
  if (!evidence) return [];
  const problems: KeyedProblem[] = [];
  if (evidence.fixedIn && !badKeys.has('evidence.fixed_in')) {
    const version = GemVersion.parse(evidence.fixedIn);
    if (inLeakyRange(advisory, version)) problems.push({ key: 'evidence.fixed_in', message: `evidence.fixed_in ${evidence.fixedIn} is flagged by the advisory's own ranges` });
    else if (advisory.patchedVersions.length > 0 && !meetsOne(advisory.patchedVersions, version)) {
      problems.push({ key: 'evidence.fixed_in', message: `evidence.fixed_in ${evidence.fixedIn} is not in patched_versions` });
    }
  }
  if (evidence.introducedIn && !badKeys.has('evidence.introduced_in') && !inLeakyRange(advisory, GemVersion.parse(evidence.introducedIn))) {
    problems.push({ key: 'evidence.introduced_in', message: `evidence.introduced_in ${evidence.introducedIn} is not flagged by the advisory's own ranges` });
  }
  return problems;
}

/** What the bundled database must say about every advisory (advisories/README.md, "Schema"). */
function bundledRequirements(advisory: AdvisoryBase, badKeys: ReadonlySet<string>): KeyedProblem[] {
  const required = "required in gemleak's bundled database";
  const problems: KeyedProblem[] = [];
  // A trigger that is there but wrong is reported as such already.
  if (advisory.trigger == null && !badKeys.has('trigger')) problems.push({ key: 'trigger', message: `missing 'trigger' (traffic, feature or rare): ${required}` });
  const evidence = advisory.evidence;
  const missing = (field: string, why: string) => problems.push({ key: 'evidence', message: `missing 'evidence.${field}': ${required} ${why}` });
  if (advisory.patchedVersions.length > 0) {
    if (!evidence?.fix) missing('fix', 'when patched_versions is given (the fix commit or pull request)');
    if (!evidence?.fixedIn) missing('fixed_in', 'when patched_versions is given (the first release with the fix)');
  }
  if (hasLowerBound(advisory.leakyVersions)) {
    if (!evidence?.introducedBy) missing('introduced_by', 'when leaky_versions has a lower bound (what introduced the leak)');
    if (!evidence?.introducedIn) missing('introduced_in', 'when leaky_versions has a lower bound (the first release with the leaking code)');
  }
  return problems;
}

/**
 * `<gem>-<id>` is how users ignore an advisory, and two files can spell the same key
 * (`gems/sidekiq/pro-4652.yml`, `gems/sidekiq-pro/4652.yml`): an ignore would then silence both.
 */
function ambiguousKeys(files: readonly AdvisoryFile[]): AdvisoryProblem[] {
  const byKey = new Map<string, string[]>();
  for (const { file } of files) {
    const key = ignoreKeyOfFile(file);
    byKey.set(key, [...(byKey.get(key) ?? []), file]);
  }
  return [...byKey].flatMap(([key, list]) =>
    list.length < 2 ? [] : list.map((file) => ({ file, message: `ignore key '${key}' is ambiguous: ${list.filter((other) => other !== file).join(', ')} gives the same key; rename one` })),
  );
}

/** What `check` never reads in `gems/` and `rubies/`: `.yaml` advisories, stray files. Never through a link. */
async function strayFiles(root: string): Promise<AdvisoryProblem[]> {
  const problems: AdvisoryProblem[] = [];
  for (const [top, what] of [
    ['gems', 'gem'],
    ['rubies', 'Ruby engine'],
  ] as const) {
    const entries = await readdir(path.join(root, top), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isSymbolicLink()) continue; // reported by the loader
      if (!entry.isDirectory()) {
        problems.push({ file: `${top}/${entry.name}`, message: `not a ${what} folder: ${top}/ holds one folder per ${what}` });
        continue;
      }
      const inner = await readdir(path.join(root, top, entry.name), { withFileTypes: true }).catch(() => []);
      for (const file of inner) {
        const relative = `${top}/${entry.name}/${file.name}`;
        if (file.name.endsWith('.yml')) continue;
        if (file.name.endsWith('.yaml')) problems.push({ file: relative, message: 'advisory files end in .yml: gemleak does not read .yaml' });
        else problems.push({ file: relative, message: 'not an advisory: gemleak reads only <id>.yml files here' });
      }
    }
  }
  return problems;
}

async function manifestProblems(root: string): Promise<AdvisoryProblem[]> {
  try {
    const manifest = await readManifest(root);
    return (manifest?.unknownKeys ?? []).map(({ key, line }) => ({ file: MANIFEST_FILE, line, message: `unknown key '${key}' (known: min_gemleak_version)` }));
  } catch (error) {
    if (!isGemleakError(error)) throw error;
    return [{ file: MANIFEST_FILE, ...(error.line === undefined ? {} : { line: error.line }), message: error.message }];
  }
}
