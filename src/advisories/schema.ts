import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node, Pair } from 'yaml';
import { GemleakError } from '../errors.js';
import { GemRequirement } from '../versions/index.js';
import type { Advisory } from './types.js';

const REQUIREMENT_KEYS = ['leaky_versions', 'patched_versions', 'unaffected_versions'] as const;
const KNOWN_KEYS = new Set([
  'gem', 'url', 'title', 'date', 'description', 'framework', 'platform', 'related', 'related_links',
  'notes', 'cve', 'osvdb', 'ghsa', 'cvss_v2', 'cvss_v3', 'cvss_v4', 'library', ...REQUIREMENT_KEYS,
]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Where an advisory file sits: `gems/<gem>/<id>.yml`, relative to the database root. */
export interface AdvisoryLocation {
  /** Relative path, used in messages. */
  file: string;
  gemFolder: string;
  id: string;
}

/**
 * Validates one advisory file's text. The database is untrusted input: YAML is read with the core
 * schema, aliases and custom tags are refused, and every field is type-checked.
 * Throws GemleakError (code ADVISORY_INVALID) naming the file and line; returns the advisory.
 */
export function parseAdvisory(text: string, location: AdvisoryLocation): Advisory {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, uniqueKeys: true, prettyErrors: false, resolveKnownTags: false });
  const fail = (message: string, offset?: number): never => {
    throw new GemleakError('ADVISORY_INVALID', message, {
      file: location.file,
      ...(offset === undefined ? {} : { line: lines.linePos(offset).line }),
    });
  };
  const yamlIssue = doc.errors[0] ?? doc.warnings[0];
  if (yamlIssue) fail(`not valid YAML: ${firstLine(yamlIssue.message)}`, yamlIssue.pos[0]);
  rejectAliases(doc, fail);
  if (!isMap(doc.contents)) fail('an advisory must be a YAML mapping (key: value lines)', doc.contents?.range?.[0]);
  const fields = new Map<string, Pair>();
  for (const pair of (doc.contents as unknown as { items: Pair[] }).items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string') fail('advisory keys must be plain strings', (pair.key as Node | null)?.range?.[0]);
    fields.set(key as string, pair);
  }
  const reader = new FieldReader(fields, fail);
  const gem = reader.string('gem', true);
  if (gem !== location.gemFolder) fail(`gem '${gem}' does not match its folder gems/${location.gemFolder}/`, reader.offset('gem'));
  const url = reader.string('url', true);
  if (!/^https?:\/\/\S+$/.test(url)) fail(`url must be an http(s) URL, got '${truncate(url)}'`, reader.offset('url'));
  const date = reader.string('date', true);
  if (!isCalendarDate(date)) fail(`date must be a real date written YYYY-MM-DD, got '${truncate(date)}'`, reader.offset('date'));
  const advisory: Advisory = {
    id: location.id,
    gem,
    url,
    title: reader.string('title', true),
    date,
    description: reader.string('description', false),
    leakyVersions: reader.requirements('leaky_versions'),
    patchedVersions: reader.requirements('patched_versions'),
    unaffectedVersions: reader.requirements('unaffected_versions'),
    platform: reader.string('platform', false) || null,
    framework: reader.string('framework', false) || null,
    related: [...reader.related(), ...reader.stringList('related_links')],
    file: location.file,
  };
  return advisory;
}

/**
 * Keys the schema does not know, with their lines: not an error when loading (newer databases may add
 * fields), but `db lint` reports them, since a typo (`patched_version`) silently drops data.
 */
export function unknownAdvisoryKeys(text: string): { key: string; line: number }[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, resolveKnownTags: false });
  if (!isMap(doc.contents)) return [];
  return doc.contents.items.flatMap((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === '' || KNOWN_KEYS.has(key)) return [];
    return [{ key, line: lines.linePos((pair.key as Node).range?.[0] ?? 0).line }];
  });
}

type Fail = (message: string, offset?: number) => never;

class FieldReader {
  constructor(private readonly fields: Map<string, Pair>, private readonly fail: Fail) {}

  offset(key: string): number | undefined {
    const pair = this.fields.get(key);
    return (pair?.value as Node | null)?.range?.[0] ?? (pair?.key as Node | null)?.range?.[0];
  }

  string(key: string, required: boolean): string {
    const value = this.fields.get(key)?.value as Node | null | undefined;
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) {
      return required ? this.fail(`missing required field '${key}'`) : '';
    }
    if (!isScalar(value) || typeof value.value !== 'string') return this.fail(`'${key}' must be a string`, this.offset(key));
    if (required && value.value.trim() === '') return this.fail(`'${key}' must not be empty`, this.offset(key));
    return value.value;
  }

  stringList(key: string): string[] {
    const value = this.fields.get(key)?.value as Node | null | undefined;
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) return [];
    if (isScalar(value) && typeof value.value === 'string') return [value.value];
    if (!isSeq(value)) return this.fail(`'${key}' must be a list of strings`, this.offset(key));
    return value.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string') {
        return this.fail(`'${key}' must be a list of strings`, (item as Node | null)?.range?.[0] ?? this.offset(key));
      }
      return item.value;
    });
  }

  requirements(key: string): string[] {
    const list = this.stringList(key);
    for (const requirement of list) {
      try {
        GemRequirement.parse(requirement);
      } catch {
        this.fail(`'${key}' has '${truncate(requirement)}', which is not a RubyGems requirement (e.g. ">= 1.2.3, < 1.3")`, this.offset(key));
      }
    }
    return list;
  }

  related(): string[] {
    const value = this.fields.get('related')?.value as Node | null | undefined;
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) return [];
    if (!isMap(value)) return this.fail("'related' must be a mapping such as 'url: [links]'", this.offset('related'));
    const urls = value.items.find((pair) => isScalar(pair.key) && pair.key.value === 'url');
    if (!urls) return [];
    const nested = new FieldReader(new Map([['related.url', urls as Pair]]), this.fail);
    return nested.stringList('related.url');
  }
}

function rejectAliases(doc: Document, fail: Fail): void {
  visit(doc, {
    Alias(_key, node) {
      fail('YAML aliases are not allowed in advisories', node.range?.[0]);
    },
  });
}

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
