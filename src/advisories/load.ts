import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import type { Advisory, AdvisoryDatabase, AdvisoryProblem, InterpreterAdvisory } from './types.js';

export interface LoadOptions {
  /** A broken advisory file stops the load instead of being reported and skipped. */
  strict?: boolean;
  /** Read only these gems' folders: a check needs the advisories of the gems it has, nothing more. */
  gems?: ReadonlySet<string>;
  /** Read the interpreter advisories (`rubies/`); default true. They are few, and a check may need them all. */
  interpreters?: boolean;
}

/** Advisory files are a few KB; anything far larger is not an advisory and is not read. */
const MAX_ADVISORY_BYTES = 256 * 1024;
/** Folder and file names the database may use; anything else (`..`, control characters) is refused. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One advisory file found by listing the database: `gems/<gem>/<id>.yml` or `rubies/<engine>/<id>.yml`. */
export interface AdvisoryFile {
  kind: 'gem' | 'interpreter';
  /** Relative to the database root, with forward slashes. */
  file: string;
  absolute: string;
  /** The gem or engine folder. */
  folder: string;
  id: string;
}

/**
 * Loads an advisory database folder (`gems/<gem>/<id>.yml`, and `rubies/<engine>/<id>.yml` when
 * present). Paths come only from directory listings, never from gem names in a lockfile, and
 * symbolic links are never followed, so a synced database cannot make gemleak read outside its folder.
 * Throws GemleakError DB_INVALID when the folder is not a database at all.
 */
export async function loadAdvisoryDatabase(root: string, options: LoadOptions = {}): Promise<AdvisoryDatabase> {
  const absoluteRoot = path.resolve(root);
  const problems: AdvisoryProblem[] = [];
  const files = await listAdvisoryFiles(absoluteRoot, problems);
  const gems = options.gems;
  const wanted = files.filter((entry) => (entry.kind === 'gem' ? gems === undefined || gems.has(entry.folder) : options.interpreters !== false));
  const parsed = wanted.length === 0 ? { advisories: [], interpreterAdvisories: [] } : await parseFiles(wanted, problems);
  if (options.strict && problems.length > 0) {
    const [first] = problems as [AdvisoryProblem];
    throw new GemleakError('ADVISORY_INVALID', `${first.message} (--strict)`, {
      file: path.join(absoluteRoot, first.file),
      ...(first.line === undefined ? {} : { line: first.line }),
    });
  }
  parsed.advisories.sort((a, b) => compareText(a.gem, b.gem) || compareText(a.id, b.id));
  parsed.interpreterAdvisories.sort((a, b) => compareText(a.engine, b.engine) || compareText(a.id, b.id));
  const paths = files.map((entry) => entry.file);
  return {
    root: absoluteRoot,
    ...parsed,
    problems,
    files: paths,
    keys: files.map((entry) => `${entry.folder}-${entry.id}`),
    broken: brokenFiles(paths, problems),
  };
}

/**
 * Lists every advisory file (cheap: directory listings only), pushing what cannot be an advisory
 * (symbolic links, other file types, bad names) to `problems`; parsing is left to the caller.
 * Throws GemleakError DB_INVALID when there is no usable `gems/` folder.
 */
export async function listAdvisoryFiles(root: string, problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const gemsDir = path.join(root, 'gems');
  const info = await lstat(gemsDir).catch(() => null);
  if (info?.isSymbolicLink()) {
    throw new GemleakError('DB_INVALID', 'gems/ is a symbolic link, which is never followed in an advisory database', { file: root });
  }
  if (!info?.isDirectory()) {
    throw new GemleakError('DB_INVALID', 'not an advisory database: it has no gems/ folder', { file: root });
  }
  const [gemFiles, interpreterFiles] = await Promise.all([listKind(root, 'gem', problems), listInterpreterFiles(root, problems)]);
  return [...gemFiles, ...interpreterFiles];
}

const TOP_FOLDER = { gem: 'gems', interpreter: 'rubies' } as const;

/** `rubies/` is optional; when it is there it obeys the rules of `gems/`. */
async function listInterpreterFiles(root: string, problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const info = await lstat(path.join(root, 'rubies')).catch(() => null);
  if (info === null) return [];
  if (info.isSymbolicLink()) return skip(problems, 'rubies', 'symbolic links are not followed in an advisory database');
  if (!info.isDirectory()) return skip(problems, 'rubies', 'not a folder: rubies/ holds one folder per Ruby engine (rubies/ruby/<id>.yml)');
  return listKind(root, 'interpreter', problems);
}

async function listKind(root: string, kind: AdvisoryFile['kind'], problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const top = TOP_FOLDER[kind];
  const entries = await readdir(path.join(root, top), { withFileTypes: true });
  const perFolder = await Promise.all(
    entries.map(async (entry) => {
      const relative = `${top}/${entry.name}`;
      if (entry.isSymbolicLink()) return skip(problems, relative, 'symbolic links are not followed in an advisory database');
      if (!entry.isDirectory()) return [];
      if (!SAFE_NAME.test(entry.name)) return skip(problems, relative, `not a valid ${kind === 'gem' ? 'gem' : 'engine'} folder name`);
      return listFolder(path.join(root, top), kind, entry.name, problems);
    }),
  );
  return perFolder.flat();
}

async function listFolder(parent: string, kind: AdvisoryFile['kind'], folder: string, problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const entries = await readdir(path.join(parent, folder), { withFileTypes: true });
  const files: AdvisoryFile[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith('.yml')) continue;
    const file = `${TOP_FOLDER[kind]}/${folder}/${entry.name}`;
    const id = entry.name.slice(0, -'.yml'.length);
    if (entry.isSymbolicLink()) skip(problems, file, 'symbolic links are not followed in an advisory database');
    else if (!entry.isFile()) skip(problems, file, 'not a regular file');
    else if (!SAFE_NAME.test(id)) skip(problems, file, 'not a valid advisory file name (letters, digits, ".", "_", "-")');
    else files.push({ kind, file, absolute: path.join(parent, folder, entry.name), folder, id });
  }
  return files;
}

/**
 * The text of one advisory file, read safely: never through a symbolic link (O_NOFOLLOW, so a link
 * swapped in after the listing is refused too), never blocking on a FIFO (O_NONBLOCK, then regular
 * files only), never more than MAX_ADVISORY_BYTES. Returns the reason instead when it cannot be read.
 */
export async function readAdvisoryText(absolute: string): Promise<{ text: string } | { problem: string }> {
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { problem: code === 'ELOOP' ? 'symbolic links are not followed in an advisory database' : `cannot be read (${code})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: 'not a regular file' };
    if (info.size > MAX_ADVISORY_BYTES) return { problem: `larger than ${MAX_ADVISORY_BYTES / 1024} KiB, not an advisory` };
    // Read to the end, in chunks sized by the file, and stop past the cap: the file may grow meanwhile.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(4096, Math.min(info.size, MAX_ADVISORY_BYTES) + 1));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_ADVISORY_BYTES) return { problem: `larger than ${MAX_ADVISORY_BYTES / 1024} KiB, not an advisory` };
    }
    return { text: Buffer.concat(chunks, length).toString('utf8') };
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await handle.close();
  }
}

async function parseFiles(files: AdvisoryFile[], problems: AdvisoryProblem[]): Promise<Pick<AdvisoryDatabase, 'advisories' | 'interpreterAdvisories'>> {
  // The YAML parser is only loaded when there is something to parse: most checks touch few gems.
  const { readAdvisoryFile, readInterpreterAdvisoryFile } = await import('./schema.js');
  const advisories: Advisory[] = [];
  const interpreterAdvisories: InterpreterAdvisory[] = [];
  await Promise.all(
    files.map(async (entry) => {
      const read = await readAdvisoryText(entry.absolute);
      if ('problem' in read) return skip(problems, entry.file, read.problem);
      const location = { file: entry.file, id: entry.id };
      const result = entry.kind === 'gem' ? readAdvisoryFile(read.text, { ...location, gemFolder: entry.folder }) : readInterpreterAdvisoryFile(read.text, { ...location, engineFolder: entry.folder });
      const [first] = result.problems;
      if (first !== undefined) return skip(problems, entry.file, first.message, first.line);
      if (result.advisory === null) return skip(problems, entry.file, 'not an advisory');
      if (entry.kind === 'gem') advisories.push(result.advisory as Advisory);
      else interpreterAdvisories.push(result.advisory as InterpreterAdvisory);
      return [];
    }),
  );
  return { advisories, interpreterAdvisories };
}

/** The advisory files that a problem makes unusable (problems about folders are not about one advisory). */
export function brokenFiles(files: readonly string[], problems: readonly AdvisoryProblem[]): string[] {
  const known = new Set(files);
  return [...new Set(problems.map((problem) => problem.file).filter((file) => known.has(file)))];
}

function skip(problems: AdvisoryProblem[], file: string, message: string, line?: number): [] {
  problems.push(line === undefined ? { file, message } : { file, line, message });
  return [];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
