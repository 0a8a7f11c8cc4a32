import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import type { Advisory, AdvisoryDatabase, AdvisoryProblem } from './types.js';

export interface LoadOptions {
  /** A broken advisory file stops the load instead of being reported and skipped. */
  strict?: boolean;
  /** Read only these gems' folders: a check needs the advisories of the gems it has, nothing more. */
  gems?: ReadonlySet<string>;
}

/** Advisory files are a few KB; anything far larger is not an advisory and is not read. */
const MAX_ADVISORY_BYTES = 256 * 1024;
/** Folder and file names the database may use; anything else (`..`, control characters) is refused. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface AdvisoryFile {
  file: string;
  absolute: string;
  gemFolder: string;
  id: string;
}

/**
 * Loads an advisory database folder (`gems/<gem>/<id>.yml`). Paths come only from directory
 * listings, never from gem names in a lockfile, and symbolic links are never followed, so a
 * synced database cannot make gemleak read outside its folder.
 * Throws GemleakError DB_INVALID when the folder is not a database at all.
 */
export async function loadAdvisoryDatabase(root: string, options: LoadOptions = {}): Promise<AdvisoryDatabase> {
  const absoluteRoot = path.resolve(root);
  const problems: AdvisoryProblem[] = [];
  const files = await listAdvisoryFiles(absoluteRoot, problems);
  const gems = options.gems;
  const wanted = gems === undefined ? files : files.filter((entry) => gems.has(entry.gemFolder));
  const advisories = wanted.length === 0 ? [] : await parseFiles(wanted, problems);
  if (options.strict && problems.length > 0) {
    const [first] = problems as [AdvisoryProblem];
    throw new GemleakError('ADVISORY_INVALID', `${first.message} (--strict)`, {
      file: path.join(absoluteRoot, first.file),
      ...(first.line === undefined ? {} : { line: first.line }),
    });
  }
  advisories.sort((a, b) => compareText(a.gem, b.gem) || compareText(a.id, b.id));
  return { root: absoluteRoot, advisories, problems, keys: files.map((entry) => `${entry.gemFolder}-${entry.id}`) };
}

/** Lists every advisory file (cheap: directory listings only); parsing is left to the caller. */
async function listAdvisoryFiles(root: string, problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const gemsDir = path.join(root, 'gems');
  const info = await lstat(gemsDir).catch(() => null);
  if (info?.isSymbolicLink()) {
    throw new GemleakError('DB_INVALID', 'gems/ is a symbolic link, which is never followed in an advisory database', { file: root });
  }
  if (!info?.isDirectory()) {
    throw new GemleakError('DB_INVALID', 'not an advisory database: it has no gems/ folder', { file: root });
  }
  const gemEntries = await readdir(gemsDir, { withFileTypes: true });
  const perGem = await Promise.all(
    gemEntries.map(async (entry) => {
        const relative = `gems/${entry.name}`;
        if (entry.isSymbolicLink()) return skip(problems, relative, 'symbolic links are not followed in an advisory database');
        if (!entry.isDirectory()) return [];
        if (!SAFE_NAME.test(entry.name)) return skip(problems, relative, 'not a valid gem folder name');
        return listGemFolder(path.join(gemsDir, entry.name), entry.name, problems);
      }),
  );
  return perGem.flat();
}

async function listGemFolder(folder: string, gemFolder: string, problems: AdvisoryProblem[]): Promise<AdvisoryFile[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: AdvisoryFile[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith('.yml')) continue;
    const file = `gems/${gemFolder}/${entry.name}`;
    const id = entry.name.slice(0, -'.yml'.length);
    if (entry.isSymbolicLink()) skip(problems, file, 'symbolic links are not followed in an advisory database');
    else if (!entry.isFile()) skip(problems, file, 'not a regular file');
    else if (!SAFE_NAME.test(id)) skip(problems, file, 'not a valid advisory file name (letters, digits, ".", "_", "-")');
    else files.push({ file, absolute: path.join(folder, entry.name), gemFolder, id });
  }
  return files;
}

async function parseFiles(files: AdvisoryFile[], problems: AdvisoryProblem[]): Promise<Advisory[]> {
  // The YAML parser is only loaded when there is something to parse: most checks touch few gems.
  const { parseAdvisory } = await import('./schema.js');
  const results = await Promise.all(
    files.map(async (entry) => {
      try {
        const info = await lstat(entry.absolute);
        if (info.size > MAX_ADVISORY_BYTES) return skip(problems, entry.file, `larger than ${MAX_ADVISORY_BYTES / 1024} KiB, not an advisory`);
        return [parseAdvisory(await readFile(entry.absolute, 'utf8'), entry)];
      } catch (error) {
        if (isFileSystemError(error)) return skip(problems, entry.file, `cannot be read (${error.code})`);
        if (!(error instanceof GemleakError)) throw error;
        return skip(problems, entry.file, error.message, error.line);
      }
    }),
  );
  return results.flat();
}

function skip(problems: AdvisoryProblem[], file: string, message: string, line?: number): [] {
  problems.push(line === undefined ? { file, message } : { file, line, message });
  return [];
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !(error instanceof GemleakError);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
