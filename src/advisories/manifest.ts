import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';

/**
 * The optional database manifest: `gemleak.yml` at the database root (beside `gems/`).
 *
 *   min_gemleak_version: 0.3.0   # gemleak versions below this refuse the database
 *
 * It is the only user of `semver` (gemleak's own version is semver; gem versions are not).
 * `yaml` and `semver` are loaded only when a database has a manifest.
 */
export const MANIFEST_FILE = 'gemleak.yml';

const KNOWN_KEYS = new Set(['min_gemleak_version']);

export interface DatabaseManifest {
  file: string;
  minGemleakVersion: string | null;
  /** Keys this gemleak does not know (not an error: later versions may add some; `db lint` lists them). */
  unknownKeys: { key: string; line: number }[];
}

/** A manifest is a few lines; anything bigger is not one (and must not be read into memory). */
const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * Reads `<root>/gemleak.yml`; null when the database has none.
 * Throws GemleakError MANIFEST_INVALID (file:line) when it is there but wrong. A database is
 * untrusted: the manifest is read only when it is a regular file of at most MAX_MANIFEST_BYTES,
 * never through a symbolic link (which could point at a secret, /dev/zero or /dev/stdin), and
 * opened non-blocking so that a FIFO cannot hang the read.
 */
export async function readManifest(root: string): Promise<DatabaseManifest | null> {
  const file = path.join(root, MANIFEST_FILE);
  const refuse = (why: string): never => {
    throw new GemleakError('MANIFEST_INVALID', why, { file });
  };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP' || code === 'EMLINK') return refuse('the database manifest is a symbolic link; links are never followed in an advisory database');
    return refuse(`cannot read the database manifest (${code ?? String(error)})`);
  }
  let text: string;
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return refuse('the database manifest is not a regular file');
    if (stats.size > MAX_MANIFEST_BYTES) return refuse(`the database manifest is ${stats.size} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}`);
    const buffer = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_MANIFEST_BYTES) return refuse(`the database manifest is over ${MAX_MANIFEST_BYTES} bytes`);
    text = buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof GemleakError) throw error;
    return refuse(`cannot read the database manifest (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
  return parseManifest(text, file);
}

async function parseManifest(text: string, file: string): Promise<DatabaseManifest> {
  const { LineCounter, isMap, isScalar, parseDocument } = await import('./yaml.js');
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, uniqueKeys: true, prettyErrors: false, resolveKnownTags: false });
  const fail = (message: string, offset?: number): never => {
    throw new GemleakError('MANIFEST_INVALID', message, { file, ...(offset === undefined ? {} : { line: lines.linePos(offset).line }) });
  };
  const issue = doc.errors[0];
  if (issue) fail(`not valid YAML: ${issue.message.split('\n')[0] ?? ''}`, issue.pos[0]);
  if (doc.contents === null) return { file, minGemleakVersion: null, unknownKeys: [] };
  if (!isMap(doc.contents)) return fail('the manifest must be a YAML mapping (key: value lines)', doc.contents.range?.[0]);
  let minGemleakVersion: string | null = null;
  const unknownKeys: DatabaseManifest['unknownKeys'] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    if (!KNOWN_KEYS.has(key)) {
      unknownKeys.push({ key, line: lines.linePos(offset).line });
      continue;
    }
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    const valueOffset = isScalar(pair.value) ? pair.value.range?.[0] : offset;
    // `0.3` is a number to YAML: take the text as written instead (1.10 must not become 1.1).
    const written = typeof value === 'number' && isScalar(pair.value) ? (pair.value.source ?? String(value)) : value;
    if (typeof written !== 'string') return fail('\'min_gemleak_version\' must be a version such as "0.3.0"', valueOffset);
    const semver = await loadSemver();
    const normalised = semver.valid(written) ?? (/^\d+(\.\d+)?$/.test(written) ? (semver.coerce(written)?.version ?? null) : null);
    if (normalised === null) return fail(`'min_gemleak_version' must be a version such as "0.3.0", got '${written}'`, valueOffset);
    minGemleakVersion = normalised;
  }
  return { file, minGemleakVersion, unknownKeys };
}

/**
 * Throws GemleakError DB_NEEDS_NEWER_GEMLEAK (exit 2) when `gemleakVersion` is older than the
 * database asks for: better to say so than to misread data written for a newer schema.
 * `subject` names the database in the message; `suffix` is added to it (what happens instead).
 */
export async function requireSupportedVersion(minGemleakVersion: string | null, gemleakVersion: string, where: { file?: string; subject?: string; suffix?: string } = {}): Promise<void> {
  if (minGemleakVersion === null) return;
  const semver = await loadSemver();
  if (semver.gte(gemleakVersion, minGemleakVersion)) return;
  throw new GemleakError(
    'DB_NEEDS_NEWER_GEMLEAK',
    `${where.subject ?? 'this advisory database'} needs gemleak ${minGemleakVersion} or later, and this is gemleak ${gemleakVersion}: ` +
      `upgrade gemleak (npm install -g gemleak@latest)${where.suffix ?? ''}`,
    where.file === undefined ? {} : { file: where.file },
  );
}

/** Reads a database's manifest, if any, and checks it against `gemleakVersion`. */
export async function checkDatabaseManifest(root: string, gemleakVersion: string): Promise<DatabaseManifest | null> {
  const manifest = await readManifest(root);
  if (manifest) await requireSupportedVersion(manifest.minGemleakVersion, gemleakVersion, { file: manifest.file });
  return manifest;
}

async function loadSemver() {
  const module = await import('semver');
  return module.default;
}
