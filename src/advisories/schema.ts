import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node, Pair } from 'yaml';
import { GemleakError } from '../errors.js';
import { GemRequirement, isValidGemVersion } from '../versions/index.js';
import { type Advisory, type AdvisoryBase, type AdvisoryCorrection, type AdvisoryEvidence, type AppliesWhen, type InterpreterAdvisory, TRIGGERS, type Trigger } from './types.js';

const REQUIREMENT_KEYS = ['leaky_versions', 'patched_versions', 'unaffected_versions'] as const;
/** Keys both kinds of advisory may have. */
const COMMON_KEYS = ['url', 'title', 'date', 'description', 'related', 'related_links', 'notes', 'trigger', 'evidence', 'corrects', 'withdrawn', ...REQUIREMENT_KEYS];
const GEM_KEYS = new Set([...COMMON_KEYS, 'gem', 'framework', 'platform', 'cve', 'osvdb', 'ghsa', 'cvss_v2', 'cvss_v3', 'cvss_v4', 'library']);
const INTERPRETER_KEYS = new Set([...COMMON_KEYS, 'engine', 'applies_when', 'cve', 'ghsa']);
const EVIDENCE_KEYS = new Set(['fix', 'fixed_in', 'changelog', 'introduced_by', 'introduced_in', 'notes']);
const CORRECTION_KEYS = new Set(['source', 'reason', 'evidence']);
const APPLIES_WHEN_KEYS = new Set(['condition', 'text']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HTTP_URL = /^https?:\/\/\S+$/;
/** `applies_when.condition` is a machine key: lower-case words joined by `_`. */
const CONDITION = /^[a-z][a-z0-9_]*$/;

/** Where an advisory file sits: `gems/<gem>/<id>.yml`, relative to the database root. */
export interface AdvisoryLocation {
  /** Relative path, used in messages. */
  file: string;
  gemFolder: string;
  id: string;
}

/** Where an interpreter advisory file sits: `rubies/<engine>/<id>.yml`. */
export interface InterpreterLocation {
  file: string;
  engineFolder: string;
  id: string;
}

/** One thing wrong in a file, with its line when known. */
interface FileProblem {
  message: string;
  line?: number;
}

/**
 * Everything read from one advisory file: every problem (not only the first, so `db lint` lists them
 * all in one pass), and what could be read despite them, for further checks.
 */
export interface ReadAdvisoryFile<T> {
  /** The advisory, when the file has no problem at all. */
  advisory: T | null;
  /** The fields that could be read (those that failed are empty); null when the file is not a YAML mapping. */
  partial: T | null;
  /** In reading order: the first is what a check reports when it skips the file. */
  problems: FileProblem[];
  /** Keys the schema does not know (nested ones as `evidence.fixd_in`), with their lines. */
  unknownKeys: { key: string; line: number }[];
  /** The line of a top-level key (`leaky_versions`) or a nested one (`evidence.fix`), when present. */
  lineOf(key: string): number | undefined;
  /** Keys whose value had a problem (read as empty in `partial`): checks on them would mislead. */
  badKeys: ReadonlySet<string>;
}

/**
 * Validates one advisory file's text. The database is untrusted input: YAML is read with the core
 * schema, aliases and custom tags are refused, and every field is type-checked.
 * Throws GemleakError (code ADVISORY_INVALID) naming the file and line of the first problem.
 */
export function parseAdvisory(text: string, location: AdvisoryLocation): Advisory {
  return orThrow(readAdvisoryFile(text, location), location.file);
}

/** As parseAdvisory, for `rubies/<engine>/<id>.yml`. */
export function parseInterpreterAdvisory(text: string, location: InterpreterLocation): InterpreterAdvisory {
  return orThrow(readInterpreterAdvisoryFile(text, location), location.file);
}

/** Every problem of a gem advisory file, and what could be read. Never throws for bad content. */
export function readAdvisoryFile(text: string, location: AdvisoryLocation): ReadAdvisoryFile<Advisory> {
  return readFile(text, GEM_KEYS, (reader) => {
    const gem = reader.string('gem', true);
    if (gem !== '' && gem !== location.gemFolder) reader.problem(`gem '${gem}' does not match its folder gems/${location.gemFolder}/`, 'gem');
    const base = readCommon(reader, location);
    return {
      ...base,
      gem,
      platform: reader.string('platform', false) || null,
      framework: reader.string('framework', false) || null,
      ...readTail(reader),
    } satisfies Advisory;
  });
}

/** Every problem of an interpreter advisory file, and what could be read. Never throws for bad content. */
export function readInterpreterAdvisoryFile(text: string, location: InterpreterLocation): ReadAdvisoryFile<InterpreterAdvisory> {
  return readFile(text, INTERPRETER_KEYS, (reader) => {
    const engine = reader.string('engine', true);
    if (engine !== '' && engine !== location.engineFolder) reader.problem(`engine '${engine}' does not match its folder rubies/${location.engineFolder}/`, 'engine');
    const base = readCommon(reader, location);
    return { ...base, engine, appliesWhen: readAppliesWhen(reader), ...readTail(reader) } satisfies InterpreterAdvisory;
  });
}

/**
 * Keys the schema does not know, with their lines: not an error when loading (newer databases may add
 * fields), but `db lint` reports them, since a typo (`patched_version`) silently drops data.
 */
export function unknownAdvisoryKeys(text: string): { key: string; line: number }[] {
  return readAdvisoryFile(text, { file: '', gemFolder: '', id: '' }).unknownKeys;
}

type Shared = Omit<AdvisoryBase, 'trigger' | 'evidence' | 'corrects' | 'related' | 'withdrawn'>;

function readCommon(reader: FieldReader, location: { file: string; id: string }): Shared {
  const url = reader.string('url', true);
  if (url !== '' && !HTTP_URL.test(url)) reader.problem(`url must be an http(s) URL, got '${truncate(url)}'`, 'url');
  const date = reader.string('date', true);
  if (date !== '' && !isCalendarDate(date)) reader.problem(`date must be a real date written YYYY-MM-DD, got '${truncate(date)}'`, 'date');
  return {
    id: location.id,
    url,
    title: reader.string('title', true),
    date,
    description: reader.string('description', false),
    leakyVersions: reader.requirements('leaky_versions'),
    patchedVersions: reader.requirements('patched_versions'),
    unaffectedVersions: reader.requirements('unaffected_versions'),
    file: location.file,
  };
}

/** The fields read after the kind-specific ones, in file-reading order for stable messages. */
function readTail(reader: FieldReader): Pick<AdvisoryBase, 'related' | 'trigger' | 'evidence' | 'corrects' | 'withdrawn'> {
  return {
    related: [...reader.related(), ...reader.stringList('related_links')],
    trigger: readTrigger(reader),
    evidence: readEvidence(reader),
    corrects: readCorrections(reader),
    withdrawn: reader.string('withdrawn', false) || null,
  };
}

function readTrigger(reader: FieldReader): Trigger | null {
  const value = reader.string('trigger', false);
  if (value === '') return null;
  if ((TRIGGERS as readonly string[]).includes(value)) return value as Trigger;
  reader.problem(`unknown trigger '${truncate(value)}' (known: ${TRIGGERS.join(', ')})`, 'trigger');
  return null;
}

function readEvidence(reader: FieldReader): AdvisoryEvidence | null {
  const nested = reader.mapping('evidence', EVIDENCE_KEYS);
  if (nested === null) return null;
  const url = (key: string) => {
    const value = nested.string(key, false);
    if (value !== '' && !HTTP_URL.test(value)) nested.problem(`'${nested.name(key)}' must be an http(s) URL, got '${truncate(value)}'`, key);
    return value || null;
  };
  const version = (key: string) => {
    const value = nested.string(key, false, 'quote versions: "3.5.1"');
    if (value !== '' && !isValidGemVersion(value)) nested.problem(`'${nested.name(key)}' must be a version such as "3.5.1", got '${truncate(value)}'`, key);
    return value || null;
  };
  return {
    fix: url('fix'),
    fixedIn: version('fixed_in'),
    changelog: nested.string('changelog', false) || null,
    introducedBy: url('introduced_by'),
    introducedIn: version('introduced_in'),
    notes: nested.string('notes', false) || null,
  };
}

function readCorrections(reader: FieldReader): AdvisoryCorrection[] {
  return reader.mappings('corrects', CORRECTION_KEYS).map((entry) => {
    const source = entry.string('source', true);
    const evidence = entry.string('evidence', true);
    if (evidence !== '' && !HTTP_URL.test(evidence)) entry.problem(`'${entry.name('evidence')}' must be an http(s) URL, got '${truncate(evidence)}'`, 'evidence');
    return { source, reason: entry.string('reason', true), evidence };
  });
}

function readAppliesWhen(reader: FieldReader): AppliesWhen | null {
  const nested = reader.mapping('applies_when', APPLIES_WHEN_KEYS);
  if (nested === null) return null;
  const condition = nested.string('condition', true);
  if (condition !== '' && !CONDITION.test(condition)) {
    nested.problem(`'applies_when.condition' must be a lower-case key such as yjit or regexp_timeout, got '${truncate(condition)}'`, 'condition');
  }
  return { condition, text: nested.string('text', true) };
}

function orThrow<T>(read: ReadAdvisoryFile<T>, file: string): T {
  const [first] = read.problems;
  if (read.advisory !== null && first === undefined) return read.advisory;
  throw new GemleakError('ADVISORY_INVALID', first?.message ?? 'not an advisory', { file, ...(first?.line === undefined ? {} : { line: first.line }) });
}

function readFile<T>(text: string, knownKeys: ReadonlySet<string>, build: (reader: FieldReader) => T): ReadAdvisoryFile<T> {
  const lines = new LineCounter();
  const problems: FileProblem[] = [];
  const unknownKeys: { key: string; line: number }[] = [];
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  const report: Report = (message, offset) => {
    const line = lineAt(offset);
    problems.push(line === undefined ? { message } : { message, line });
  };
  const offsets = new Map<string, number>();
  const badKeys = new Set<string>();
  const result = (advisory: T | null): ReadAdvisoryFile<T> => ({
    advisory: advisory !== null && problems.length === 0 ? advisory : null,
    partial: advisory,
    problems,
    unknownKeys,
    lineOf: (key) => lineAt(offsets.get(key)),
    badKeys,
  });
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, uniqueKeys: true, prettyErrors: false, resolveKnownTags: false });
  const yamlIssue = doc.errors[0] ?? doc.warnings[0];
  if (yamlIssue) {
    report(`not valid YAML: ${firstLine(yamlIssue.message)}`, yamlIssue.pos[0]);
    return result(null);
  }
  if (hasAlias(doc, report)) return result(null);
  if (!isMap(doc.contents)) {
    report('an advisory must be a YAML mapping (key: value lines)', doc.contents?.range?.[0]);
    return result(null);
  }
  const fields = pairsByKey(doc.contents.items as Pair[], report);
  if (fields === null) return result(null);
  const reader = new FieldReader(fields, report, '', { knownKeys, unknownKeys, offsets, badKeys, lineAt });
  reader.collectUnknown();
  return result(build(reader));
}

type Report = (message: string, offset?: number) => void;

interface ReaderShared {
  knownKeys: ReadonlySet<string>;
  unknownKeys: { key: string; line: number }[];
  /** Offsets of every key read, by full name (`evidence.fix`), for lineOf. */
  offsets: Map<string, number>;
  badKeys: Set<string>;
  lineAt(offset: number | undefined): number | undefined;
}

/** The pairs of a mapping by key; null (reported) when a key is not a plain string. */
function pairsByKey(items: readonly Pair[], report: Report): Map<string, Pair> | null {
  const fields = new Map<string, Pair>();
  for (const pair of items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string') {
      report('advisory keys must be plain strings', (pair.key as Node | null)?.range?.[0]);
      return null;
    }
    fields.set(key, pair);
  }
  return fields;
}

/**
 * Reads typed fields of one mapping. A bad field is reported and read as empty, so that reading goes
 * on and every problem of the file is found. `prefix` names nested fields (`evidence.`).
 */
class FieldReader {
  /** Where this (nested) mapping starts: the line a missing nested field is reported at. */
  private start: number | undefined;

  constructor(
    private readonly fields: Map<string, Pair>,
    private readonly report: Report,
    private readonly prefix: string,
    private readonly shared: ReaderShared,
  ) {
    for (const [key, pair] of fields) {
      const offset = (pair.key as Node | null)?.range?.[0];
      if (offset !== undefined) shared.offsets.set(prefix + key, offset);
    }
  }

  /** The full name of a key, for messages (`evidence.fixed_in`). */
  name(key: string): string {
    return this.prefix + key;
  }

  collectUnknown(known: ReadonlySet<string> = this.shared.knownKeys): void {
    for (const [key, pair] of this.fields) {
      if (known.has(key)) continue;
      this.shared.unknownKeys.push({ key: this.name(key), line: this.shared.lineAt((pair.key as Node | null)?.range?.[0]) ?? 1 });
    }
  }

  offset(key: string): number | undefined {
    const pair = this.fields.get(key);
    return (pair?.value as Node | null)?.range?.[0] ?? (pair?.key as Node | null)?.range?.[0];
  }

  problem(message: string, key?: string): void {
    if (key !== undefined) this.shared.badKeys.add(this.name(key));
    this.report(message, key === undefined ? undefined : this.offset(key));
  }

  private value(key: string): Node | null {
    const value = this.fields.get(key)?.value as Node | null | undefined;
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) return null;
    return value;
  }

  string(key: string, required: boolean, hint?: string): string {
    const value = this.value(key);
    if (value === null) {
      if (required) this.report(`missing required field '${this.name(key)}'`, this.prefix === '' ? undefined : this.fieldsOffset());
      return '';
    }
    if (!isScalar(value) || typeof value.value !== 'string') {
      this.problem(`'${this.name(key)}' must be a string${hint === undefined ? '' : ` (${hint})`}`, key);
      return '';
    }
    if (required && value.value.trim() === '') {
      this.problem(`'${this.name(key)}' must not be empty`, key);
      return '';
    }
    return value.value;
  }

  stringList(key: string): string[] {
    const value = this.value(key);
    if (value === null) return [];
    if (isScalar(value) && typeof value.value === 'string') return [value.value];
    if (!isSeq(value)) {
      this.problem(`'${this.name(key)}' must be a list of strings`, key);
      return [];
    }
    const strings: string[] = [];
    for (const item of value.items) {
      if (!isScalar(item) || typeof item.value !== 'string') {
        this.shared.badKeys.add(this.name(key));
        this.report(`'${this.name(key)}' must be a list of strings`, (item as Node | null)?.range?.[0] ?? this.offset(key));
        return [];
      }
      strings.push(item.value);
    }
    return strings;
  }

  /** A list of requirements; with a bad one, the problem is reported and the list read as empty. */
  requirements(key: string): string[] {
    const list = this.stringList(key);
    for (const requirement of list) {
      try {
        GemRequirement.parse(requirement);
      } catch {
        this.problem(`'${this.name(key)}' has '${truncate(requirement)}', which is not a RubyGems requirement (e.g. ">= 1.2.3, < 1.3")`, key);
        return [];
      }
    }
    return list;
  }

  related(): string[] {
    const value = this.value('related');
    if (value === null) return [];
    if (!isMap(value)) {
      this.problem("'related' must be a mapping such as 'url: [links]'", 'related');
      return [];
    }
    const urls = value.items.find((pair) => isScalar(pair.key) && pair.key.value === 'url');
    if (!urls) return [];
    const nested = new FieldReader(new Map([['url', urls as Pair]]), this.report, 'related.', this.shared);
    return nested.stringList('url');
  }

  /** A nested mapping read with its own reader (unknown keys collected); null when absent or not a mapping. */
  mapping(key: string, known: ReadonlySet<string>): FieldReader | null {
    const value = this.value(key);
    if (value === null) return null;
    if (!isMap(value)) {
      this.problem(`'${this.name(key)}' must be a mapping (key: value lines)`, key);
      return null;
    }
    return this.nested(value.items as Pair[], `${this.name(key)}.`, known, value.range?.[0]);
  }

  /** A list of mappings (`corrects:`), each with its own reader. */
  mappings(key: string, known: ReadonlySet<string>): FieldReader[] {
    const value = this.value(key);
    if (value === null) return [];
    if (!isSeq(value) || !value.items.every((item) => isMap(item))) {
      this.problem(`'${this.name(key)}' must be a list of mappings (- source: ...)`, key);
      return [];
    }
    return value.items.flatMap((item, index) => {
      const map = item as unknown as { items: Pair[]; range?: [number, number, number] };
      const reader = this.nested(map.items, `${this.name(key)}[${index}].`, known, map.range?.[0]);
      return reader === null ? [] : [reader];
    });
  }

  private nested(items: Pair[], prefix: string, known: ReadonlySet<string>, offset: number | undefined): FieldReader | null {
    const fields = pairsByKey(items, this.report);
    if (fields === null) return null;
    const reader = new FieldReader(fields, this.report, prefix, this.shared);
    reader.start = offset;
    reader.collectUnknown(known);
    return reader;
  }

  private fieldsOffset(): number | undefined {
    return this.start;
  }
}

function hasAlias(doc: Document, report: Report): boolean {
  let found = false;
  visit(doc, {
    Alias(_key, node) {
      report('YAML aliases are not allowed in advisories', node.range?.[0]);
      found = true;
      return visit.BREAK;
    },
  });
  return found;
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
