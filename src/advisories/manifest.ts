import { readFile } from 'node:fs/promises';
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

/**
 * Reads `<root>/gemleak.yml`; null when the database has none.
 * Throws GemleakError MANIFEST_INVALID (file:line) when it is there but wrong.
 */
export async function readManifest(root: string): Promise<DatabaseManifest | null> {
  const file = path.join(root, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new GemleakError('MANIFEST_INVALID', `cannot read the database manifest (${code ?? String(error)})`, { file });
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
    const offset = isScalar(pair.key) ? pair.key.range?.[0] ?? 0 : 0;
    if (!KNOWN_KEYS.has(key)) {
      unknownKeys.push({ key, line: lines.linePos(offset).line });
      continue;
    }
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    const valueOffset = isScalar(pair.value) ? pair.value.range?.[0] : offset;
    // `0.3` is a number to YAML: take the text as written instead (1.10 must not become 1.1).
    const written = typeof value === 'number' && isScalar(pair.value) ? (pair.value.source ?? String(value)) : value;
    if (typeof written !== 'string') return fail("'min_gemleak_version' must be a version such as \"0.3.0\"", valueOffset);
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
export async function requireSupportedVersion(
  minGemleakVersion: string | null,
  gemleakVersion: string,
  where: { file?: string; subject?: string; suffix?: string } = {},
): Promise<void> {
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
