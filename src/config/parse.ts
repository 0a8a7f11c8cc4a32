import path from 'node:path';
import { TomlDate, TomlError, parse } from 'smol-toml';
import { GemleakError, isGemleakError } from '../errors.js';
import { checkSourceUrl } from '../advisories/source-url.js';
import { CHECK_FORMATS, type CheckFormat } from '../formats.js';
import { type KeyLocations, type KeyPath, locateKeys } from './locate.js';
import type { ConfigDatabase, ConfigIgnore, GemleakConfig } from './types.js';

/**
 * The keys `.gemleak.toml` may hold. Anything else is an error: a typo (`untill`) must never turn a
 * temporary ignore into a permanent one, or a setting into a silent no-op.
 */
const TOP_KEYS = ['format', 'max_age', 'ignore', 'database'] as const;
const IGNORE_KEYS = ['id', 'reason', 'until'] as const;
const DATABASE_KEYS = ['url', 'path', 'name'] as const;

/** `<gem>-<advisory id>`: gem names may hold dashes, so the id is what follows the last one. */
const IGNORE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*-[A-Za-z0-9][A-Za-z0-9._]*$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses and validates a config file's text. `file` is the name used in messages; relative database
 * paths are taken from its folder (`baseDir`, absolute).
 * Throws GemleakError CONFIG_INVALID (exit 2) naming the file and the line of the key at fault.
 */
export function parseConfig(text: string, file: string, baseDir: string): GemleakConfig {
  let document: Record<string, unknown>;
  try {
    document = parse(text, { unsafeKeyBehaviour: 'throw' }) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const said = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw new GemleakError('CONFIG_INVALID', `not valid TOML: ${said}`, { file, line: error.line });
    }
    throw error;
  }
  return new Validator(file, locateKeys(text), baseDir).config(document);
}

class Validator {
  readonly #file: string;
  readonly #where: KeyLocations;
  readonly #baseDir: string;

  constructor(file: string, where: KeyLocations, baseDir: string) {
    this.#file = file;
    this.#where = where;
    this.#baseDir = baseDir;
  }

  config(document: Record<string, unknown>): GemleakConfig {
    this.#knownKeys(document, [], TOP_KEYS, 'at the top level');
    return {
      file: this.#file,
      format: this.#format(document.format),
      maxAge: this.#maxAge(document.max_age),
      ignores: this.#ignores(document.ignore),
      databases: this.#databases(document.database),
    };
  }

  #format(value: unknown): CheckFormat | null {
    if (value === undefined) return null;
    const text = this.#string(value, ['format'], 'format');
    if (!(CHECK_FORMATS as readonly string[]).includes(text)) {
      this.#fail(['format'], `format: unknown format "${text}" (choose one of ${CHECK_FORMATS.join(', ')})`);
    }
    return text as CheckFormat;
  }

  #maxAge(value: unknown): number | null {
    if (value === undefined) return null;
    const raw = this.#where.get(['max_age'])?.raw ?? '';
    if (typeof value !== 'number' || !/^\+?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|[0-9_]+)$/.test(raw) || !Number.isSafeInteger(value) || value < 0) {
      // 0, as with --max-age 0: the synced copy is stale from the day after its sync.
      this.#fail(['max_age'], `max_age: expected a whole number of days (max_age = 30), got ${describe(value, raw)}`);
    }
    return value;
  }

  #ignores(value: unknown): ConfigIgnore[] {
    const entries = this.#tableArray(value, 'ignore');
    const seen = new Map<string, number>();
    return entries.map((entry, index) => {
      const at: KeyPath = ['ignore', index];
      this.#knownKeys(entry, at, IGNORE_KEYS, 'in [[ignore]]');
      const id = this.#required(entry, at, 'id', 'ignore', 'id = "celluloid-670"');
      if (!IGNORE_ID.test(id)) {
        this.#fail([...at, 'id'], `[[ignore]] id: expected <gem>-<advisory id> (e.g. celluloid-670), got "${id}"`);
      }
      const earlier = seen.get(id);
      if (earlier !== undefined) this.#fail([...at, 'id'], `[[ignore]] id: "${id}" is already ignored on line ${earlier}`);
      seen.set(id, this.#where.lineOf([...at, 'id']));
      const reason = this.#required(entry, at, 'reason', 'ignore', 'reason = "why this leak does not matter here"');
      return { id, reason, until: this.#date(entry.until, [...at, 'until']), line: this.#where.lineOf(at) };
    });
  }

  #databases(value: unknown): ConfigDatabase[] {
    const entries = this.#tableArray(value, 'database');
    return entries.map((entry, index) => {
      const at: KeyPath = ['database', index];
      this.#knownKeys(entry, at, DATABASE_KEYS, 'in [[database]]');
      const name = entry.name === undefined ? null : this.#nonEmpty(entry.name, [...at, 'name'], '[[database]] name');
      const line = this.#where.lineOf(at);
      if (entry.url !== undefined && entry.path !== undefined) {
        this.#fail([...at, 'path'], '[[database]]: give either url (a git repository) or path (a local folder), not both');
      }
      if (entry.url !== undefined) return { kind: 'url', url: this.#sourceUrl(this.#nonEmpty(entry.url, [...at, 'url'], '[[database]] url'), [...at, 'url']), name, line };
      if (entry.path !== undefined) {
        const folder = this.#nonEmpty(entry.path, [...at, 'path'], '[[database]] path');
        return { kind: 'path', path: path.resolve(this.#baseDir, folder), name, line };
      }
      return this.#fail(at, '[[database]]: missing url (a git repository, e.g. url = "https://github.com/rubymem/ruby-mem-advisory-db.git") or path (a local folder)');
    });
  }

  /** A git source, refused as `gemleak update --url` refuses it (`ext::`, options); a local path is taken from the config's folder. */
  #sourceUrl(url: string, at: KeyPath): string {
    try {
      return checkSourceUrl(url, this.#baseDir);
    } catch (error) {
      if (!isGemleakError(error)) throw error;
      return this.#fail(at, `[[database]] url: ${error.message}`);
    }
  }

  /** `until`: a TOML local date (`until = 2025-06-30`) or the same as a string; a real calendar day. */
  #date(value: unknown, at: KeyPath): string | null {
    if (value === undefined) return null;
    const raw = this.#where.get(at)?.raw ?? '';
    const example = '(write YYYY-MM-DD: until = 2025-06-30)';
    let text: string;
    if (value instanceof TomlDate) {
      if (!value.isDate()) this.#fail(at, `[[ignore]] until: expected a date without a time ${example}, got ${raw}`);
      text = raw;
    } else if (typeof value === 'string') {
      text = value;
    } else {
      return this.#fail(at, `[[ignore]] until: expected a date ${example}, got ${describe(value, raw)}`);
    }
    const match = ISO_DATE.exec(text);
    if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
      this.#fail(at, `[[ignore]] until: not a valid date: ${JSON.stringify(text)} ${example}`);
    }
    return text;
  }

  #tableArray(value: unknown, key: string): Record<string, unknown>[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      return this.#fail([key], `${key}: expected a list of tables, written [[${key}]] once per entry, got ${describe(value, this.#where.get([key])?.raw ?? '')}`);
    }
    return value.map((entry, index) => {
      if (!isTable(entry)) this.#fail([key, index], `${key}: every entry must be a table ([[${key}]]), got ${describe(entry, this.#where.get([key, index])?.raw ?? '')}`);
      return entry;
    });
  }

  #required(entry: Record<string, unknown>, at: KeyPath, key: string, table: string, example: string): string {
    if (entry[key] === undefined) this.#fail(at, `[[${table}]]: missing ${key} (${example})`);
    return this.#nonEmpty(entry[key], [...at, key], `[[${table}]] ${key}`);
  }

  #nonEmpty(value: unknown, at: KeyPath, name: string): string {
    const text = this.#string(value, at, name);
    if (text.trim() === '') this.#fail(at, `${name}: must not be empty`);
    return text;
  }

  #string(value: unknown, at: KeyPath, name: string): string {
    if (typeof value !== 'string') this.#fail(at, `${name}: expected a string, got ${describe(value, this.#where.get(at)?.raw ?? '')}`);
    return value as string;
  }

  #knownKeys(table: Record<string, unknown>, at: KeyPath, known: readonly string[], where: string): void {
    for (const key of Object.keys(table)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        // The key's name only (shortened), never its value: a config is not trusted to be only settings.
        const shown = key.length > 60 ? `${key.slice(0, 57)}...` : key;
        this.#fail([...at, key], `unknown key "${shown}" ${where}${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${known.join(', ')}`);
      }
    }
  }

  #fail(at: KeyPath, message: string): never {
    throw new GemleakError('CONFIG_INVALID', message, { file: this.#file, line: this.#where.lineOf(at) });
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** How a wrong value is named in a message: its TOML kind, and its text when short. */
function describe(value: unknown, raw: string): string {
  const kind =
    value instanceof TomlDate
      ? value.isDate()
        ? 'a date'
        : value.isTime()
          ? 'a time'
          : 'a date-time'
      : Array.isArray(value)
        ? 'a list'
        : isTable(value)
          ? 'a table'
          : typeof value === 'number'
            ? Number.isInteger(value) && !/[.eE]/.test(raw)
              ? 'an integer'
              : 'a number'
            : typeof value === 'boolean'
              ? 'a boolean'
              : typeof value === 'string'
                ? 'a string'
                : typeof value;
  return raw !== '' && raw.length <= 40 ? `${kind} (${raw})` : kind;
}

/** The known key one edit or transposition away from a typo, if there is exactly one. */
function closest(key: string, known: readonly string[]): string | null {
  const near = known.filter((candidate) => editDistance(key.toLowerCase(), candidate) <= 2);
  return near.length === 1 ? (near[0] ?? null) : null;
}

function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const previous = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}
