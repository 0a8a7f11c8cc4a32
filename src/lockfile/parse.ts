import { GemleakError } from '../errors.js';
import { isValidPlatform, parseDependencyText, parseOptionText, parseSpecText, quote, type LineProblem } from './line-grammar.js';
import { buildSource, type OptionLine } from './sources.js';
import type { LockedSpec, Lockfile, LockfileErrorCode, LockfileWarning, LockfileWarningCode, SpecSource } from './types.js';

type SourceType = SpecSource['type'];
type ListKind = 'platforms' | 'dependencies' | 'checksums';
type ValueKind = 'rubyVersion' | 'bundledWith';

/**
 * The longest line read. Bundler's lines are short (the longest are requirement lists and git URLs,
 * well under 1,000 characters); a longer line is refused with its number, before any pattern sees
 * it (a regular expression over megabytes can exhaust the stack).
 */
const MAX_LINE_LENGTH = 65_536;

interface SectionBase {
  header: string;
  /** Line of the header. */
  line: number;
  /** Non-blank lines read below the header so far. */
  entries: number;
}

interface SourceSection extends SectionBase {
  kind: 'source';
  type: SourceType;
  options: Map<string, OptionLine[]>;
  /** Built when `  specs:` is read; the options all come before it. */
  source: SpecSource | null;
  /** The spec that 6-space dependency lines belong to. */
  spec: LockedSpec | null;
}

interface ListSection extends SectionBase {
  kind: ListKind;
}

interface ValueSection extends SectionBase {
  kind: ValueKind;
}

interface UnknownSection extends SectionBase {
  kind: 'unknown';
}

type Section = SourceSection | ListSection | ValueSection | UnknownSection;

const SOURCE_HEADERS: ReadonlyMap<string, SourceType> = new Map([
  ['GEM', 'gem'],
  ['GIT', 'git'],
  ['PATH', 'path'],
  ['PLUGIN SOURCE', 'plugin'],
]);
const OTHER_HEADERS: ReadonlyMap<string, ListKind | ValueKind> = new Map([
  ['PLATFORMS', 'platforms'],
  ['DEPENDENCIES', 'dependencies'],
  ['CHECKSUMS', 'checksums'],
  ['RUBY VERSION', 'rubyVersion'],
  ['BUNDLED WITH', 'bundledWith'],
]);
const KNOWN_HEADERS = [...SOURCE_HEADERS.keys(), ...OTHER_HEADERS.keys()];
// Bundler treats any column-0 line of word characters as a section; gemleak only skips the ones in
// capitals, because a lower-case `gem` is far more likely a typo that would hide gems than a new section.
const UNKNOWN_HEADER = /^[A-Z][A-Z0-9_ ]*$/;
const GEMFILE_LINE = /^(#|source\b|gem\b|gemspec\b|git_source\b|ruby\b|group\b|eval_gemfile\b|plugin\b)/;
const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const CR = 0x0d;
const CONFLICT_MARKERS = ['<<<<<<<', '=======', '>>>>>>>', '|||||||'];

/**
 * Parses a Gemfile.lock / gems.locked text in one pass. Pure. Anything that could make a locked gem go
 * unread is a GemleakError with `file` and `line`; what gemleak can read past safely (an unknown
 * section, a byte-order mark, a spec locked twice) is a warning in `warnings`.
 */
export function parseLockfile(text: string, file: string): Lockfile {
  const warnings: LockfileWarning[] = [];
  let body = text;
  if (body.charCodeAt(0) === 0xfeff) {
    body = body.slice(1);
    warnings.push(byteOrderMarkWarning());
  }
  return new LockfileParser(body, file, warnings).parse();
}

/** Bundler keeps a leading BOM as part of the first header, so that whole section silently vanishes for it. */
export function byteOrderMarkWarning(): LockfileWarning {
  return {
    code: 'BYTE_ORDER_MARK',
    message: 'the file starts with a UTF-8 byte-order mark; gemleak ignored it, but Bundler then drops the first section without a word: save the file without the BOM',
    line: 1,
  };
}

class LockfileParser {
  private readonly result: Lockfile;
  private section: Section | null = null;
  private sawKnownSection = false;
  private sawSource = false;
  private sawPlatformsOrDependencies = false;
  /** Spec identity (`name (version-platform)`) → line of its first occurrence. */
  private readonly specLines = new Map<string, number>();
  /** Line of the last non-blank line; only error and warning paths need it, so it is found on demand. */
  private lastLine = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    warnings: LockfileWarning[],
  ) {
    this.result = { file, specs: [], platforms: [], dependencies: [], checksums: {}, rubyVersion: null, bundledWith: null, warnings };
  }

  /**
   * One pass over the text, line by line as `split('\n')` would cut it, without building the array:
   * `gemleak check` parses once per process, in V8's interpreter, where every string and array counts.
   */
  parse(): Lockfile {
    this.checkWholeText();
    const text = this.text;
    const length = text.length;
    let start = 0;
    let line = 0;
    while (start <= length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      line++;
      const stop = contentEnd(text, start, end);
      if (stop - start > MAX_LINE_LENGTH)
        throw this.error(
          'LOCKFILE_LINE_TOO_LONG',
          line,
          `the line is ${stop - start} characters long; gemleak reads lockfile lines up to ${MAX_LINE_LENGTH} (Bundler writes one gem, requirement list or setting per line)`,
        );
      if (stop > start) this.readLine(start, stop, line);
      start = end + 1;
    }
    this.closeSection(true);
    this.checkComplete();
    return this.result;
  }

  /** Line of the first non-blank line (as `trim()` sees blanks). */
  private get firstContentLine(): number {
    const text = this.text;
    const first = text.length - text.trimStart().length;
    return first === text.length ? 0 : lineOf(text, first);
  }

  /** Line of the last non-blank line (as `trim()` sees blanks). */
  private get lastContentLine(): number {
    if (this.lastLine === 0) {
      const last = this.text.trimEnd().length - 1;
      this.lastLine = last < 0 ? 0 : lineOf(this.text, last);
    }
    return this.lastLine;
  }

  /** Problems that make line-by-line reading pointless, reported before any line is read. */
  private checkWholeText(): void {
    const text = this.text;
    if (text.trim() === '') {
      throw this.error('LOCKFILE_EMPTY', 1, 'the lockfile is empty; expected the sections Bundler writes (GEM, PLATFORMS, DEPENDENCIES): run `bundle lock` to create it');
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      throw this.error('LOCKFILE_NOT_A_LOCKFILE', lineOf(text, nul), 'found a NUL character, so this is binary or UTF-16 data; expected a UTF-8 text lockfile');
    }
    const conflict = firstConflictMarker(text);
    if (conflict >= 0) {
      const marker = lineAround(text, conflict).trim();
      throw this.error(
        'LOCKFILE_CONFLICT',
        lineOf(text, conflict),
        `the lockfile has unresolved merge conflicts: found ${quote(marker)}, expected no conflict markers; resolve them (for example keep one side with \`git checkout --ours -- ${this.file}\`), then run \`bundle install\` or \`bundle lock\` to regenerate the lockfile`,
      );
    }
  }

  /** The non-blank line `text[start, stop)`, trailing whitespace already left out. */
  private readLine(start: number, stop: number, line: number): void {
    const text = this.text;
    let after = start;
    let tab = false;
    for (let code = text.charCodeAt(after); code === SPACE || code === TAB; code = text.charCodeAt(++after)) {
      if (code === TAB) tab = true;
    }
    const indent = after - start;
    if (indent === 0) {
      this.openSection(text.slice(start, stop), line);
      return;
    }
    const section = this.section;
    if (section === null) {
      throw this.error(
        'LOCKFILE_NOT_A_LOCKFILE',
        line,
        `found the indented line ${quote(text.slice(start, stop))} before any section header; expected a lockfile that starts with a header such as GEM or GIT`,
      );
    }
    if (section.kind === 'unknown') return;
    section.entries++;
    if (tab) {
      throw this.error(
        'LOCKFILE_BAD_INDENT',
        line,
        `found a tab in the indentation of ${quote(text.slice(start, stop))} in the ${section.header} section; expected spaces only, as Bundler writes them`,
      );
    }
    const body = text.slice(after, stop);
    switch (section.kind) {
      case 'source':
        this.readSourceLine(section, body, indent, line);
        return;
      case 'rubyVersion':
      case 'bundledWith':
        this.readValueLine(section, body, indent, line);
        return;
      default:
        this.readListLine(section, body, indent, line);
    }
  }

  private openSection(header: string, line: number): void {
    this.closeSection(false);
    const sourceType = SOURCE_HEADERS.get(header);
    const otherKind = OTHER_HEADERS.get(header);
    if (sourceType !== undefined) {
      this.sawSource = true;
      this.section = { kind: 'source', type: sourceType, header, line, entries: 0, options: new Map(), source: null, spec: null };
    } else if (otherKind !== undefined) {
      if (otherKind === 'platforms' || otherKind === 'dependencies') this.sawPlatformsOrDependencies = true;
      this.section = { kind: otherKind, header, line, entries: 0 };
    } else {
      this.section = this.unknownSection(header, line);
      return;
    }
    this.sawKnownSection = true;
  }

  private unknownSection(header: string, line: number): UnknownSection {
    if (!UNKNOWN_HEADER.test(header)) {
      if (!this.sawKnownSection) throw this.error('LOCKFILE_NOT_A_LOCKFILE', line, notALockfileMessage(header));
      const suggestion = KNOWN_HEADERS.find((known) => known === header.toUpperCase());
      const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
      throw this.error('LOCKFILE_BAD_LINE', line, `found ${quote(header)} at the start of a line${hint}; expected a section header in capitals such as GEM or DEPENDENCIES, or an indented line`);
    }
    if (line === this.lastContentLine && KNOWN_HEADERS.some((known) => known.startsWith(header))) {
      throw this.error('LOCKFILE_TRUNCATED', line, `the file ends with ${quote(header)}, the start of a section header; expected the whole section, so the file looks cut off`);
    }
    this.warn('UNKNOWN_SECTION', line, `skipped the unknown section ${quote(header)}: gemleak reads ${KNOWN_HEADERS.join(', ')}; any gems listed in it were not checked`);
    return { kind: 'unknown', header, line, entries: 0 };
  }

  /** Checks that the section just ended, by the next header or by the end of the file, is whole. */
  private closeSection(atEndOfFile: boolean): void {
    const section = this.section;
    if (section === null || section.kind === 'unknown') return;
    // Bundler before 1.10 ends the lockfile of a Gemfile without gems with an empty DEPENDENCIES
    // section (and no BUNDLED WITH), and reads it; nothing a check needs can follow it.
    if (section.entries === 0 && atEndOfFile && section.kind !== 'dependencies') {
      throw this.error('LOCKFILE_TRUNCATED', section.line, `the file ends right after the ${section.header} header; expected the lines of that section, so the file looks cut off`);
    }
    if (section.kind === 'source' && section.source === null) {
      throw this.error(
        'LOCKFILE_TRUNCATED',
        section.line,
        `the ${section.header} section has no "  specs:" line; expected its options, then "  specs:" and the locked gems, so the file looks cut off or hand-edited`,
      );
    }
    if ((section.kind === 'rubyVersion' || section.kind === 'bundledWith') && section.entries === 0) {
      throw this.error('LOCKFILE_BAD_SECTION', section.line, `the ${section.header} section has no value; expected one indented line below the header, such as "   2.4.22"`);
    }
  }

  private checkComplete(): void {
    if (!this.sawKnownSection) {
      throw this.error('LOCKFILE_NOT_A_LOCKFILE', this.firstContentLine, `found no section gemleak knows; expected a lockfile with sections such as ${KNOWN_HEADERS.slice(0, 5).join(', ')}`);
    }
    // Bundler always writes PLATFORMS and DEPENDENCIES after the sources, so a file that has sources but
    // neither was cut off somewhere in its gem lists, and gems after the cut would go unchecked.
    if (this.sawSource && !this.sawPlatformsOrDependencies) {
      const where = this.section === null ? '' : ` inside the ${this.section.header} section`;
      throw this.error(
        'LOCKFILE_TRUNCATED',
        this.lastContentLine,
        `the file ends${where} with no PLATFORMS or DEPENDENCIES section; expected them after the gem sources, as Bundler always writes them, so the file looks cut off`,
      );
    }
  }

  private readSourceLine(section: SourceSection, body: string, indent: number, line: number): void {
    if (indent === 2) this.readSourceOption(section, body, line);
    else if (indent === 4) this.readSpec(section, body, line);
    else if (indent === 6) this.readSpecDependency(section, body, line);
    else {
      throw this.error(
        'LOCKFILE_BAD_INDENT',
        line,
        `found ${spaces(indent)} before ${quote(body)} in the ${section.header} section; expected 2 (options and "specs:"), 4 (locked gems) or 6 (their dependencies)`,
      );
    }
  }

  private readSourceOption(section: SourceSection, body: string, line: number): void {
    if (section.source !== null) {
      throw this.error(
        'LOCKFILE_BAD_INDENT',
        line,
        `found ${quote(body)} indented 2 spaces after "  specs:" in the ${section.header} section; expected locked gems indented 4 spaces and their dependencies 6`,
      );
    }
    if (body === 'specs:') {
      section.source = buildSource(section.type, section.options, section.line, this.file);
      return;
    }
    const option = parseOptionText(body);
    if (!option.ok) throw this.lineError('LOCKFILE_BAD_LINE', line, option);
    const previous = section.options.get(option.key);
    if (previous) previous.push({ value: option.value, line });
    else section.options.set(option.key, [{ value: option.value, line }]);
  }

  private readSpec(section: SourceSection, body: string, line: number): void {
    const source = section.source;
    if (source === null) {
      throw this.error('LOCKFILE_BAD_INDENT', line, `found the gem line ${quote(body)} before "  specs:" in the ${section.header} section; expected "  specs:" above the locked gems`);
    }
    const parts = parseSpecText(body);
    if (!parts.ok) throw this.lineError('LOCKFILE_BAD_SPEC', line, parts);
    const spec: LockedSpec = { name: parts.name, version: parts.version, platform: parts.platform, source, line, dependencies: [] };
    section.spec = spec;
    // The line itself, `name (version-platform)`, is the identity Bundler keys specs by.
    const first = this.specLines.get(body);
    if (first !== undefined) {
      this.warn('DUPLICATE_SPEC', line, `${body} is locked twice (first on line ${first}); only the first is checked, as Bundler keeps one`);
      return;
    }
    this.specLines.set(body, line);
    this.result.specs.push(spec);
  }

  private readSpecDependency(section: SourceSection, body: string, line: number): void {
    const spec = section.spec;
    if (spec === null) {
      throw this.error('LOCKFILE_BAD_INDENT', line, `found ${quote(body)} indented 6 spaces with no locked gem above it in the ${section.header} section; expected a gem line indented 4 spaces first`);
    }
    const parts = parseDependencyText(body);
    if (!parts.ok) throw this.lineError('LOCKFILE_BAD_DEPENDENCY', line, parts);
    spec.dependencies.push({ name: parts.name, requirement: parts.requirement });
  }

  private readListLine(section: ListSection, body: string, indent: number, line: number): void {
    if (indent !== 2) {
      throw this.error('LOCKFILE_BAD_INDENT', line, `found ${spaces(indent)} before ${quote(body)} in the ${section.header} section; expected 2`);
    }
    if (section.kind === 'platforms') this.readPlatform(body, line);
    else if (section.kind === 'dependencies') this.readDependency(body, line);
    else this.readChecksum(body, line);
  }

  private readPlatform(body: string, line: number): void {
    if (!isValidPlatform(body)) {
      throw this.error('LOCKFILE_BAD_LINE', line, `found ${quote(body)} in PLATFORMS; expected one platform per line, such as "ruby" or "x86_64-linux"`);
    }
    this.result.platforms.push(body);
  }

  private readDependency(body: string, line: number): void {
    const pinned = body.endsWith('!');
    const parts = parseDependencyText(pinned ? body.slice(0, -1) : body);
    if (!parts.ok) throw this.lineError('LOCKFILE_BAD_DEPENDENCY', line, parts);
    this.result.dependencies.push({ name: parts.name, requirement: parts.requirement, pinned, line });
  }

  /** `name (version[-platform])` then, unless the checksum is unknown (git and path gems), ` sha256=...`. */
  private readChecksum(body: string, line: number): void {
    const close = body.indexOf(')');
    const key = close < 0 ? body : body.slice(0, close + 1);
    const parts = parseSpecText(key);
    if (!parts.ok) {
      // Only an opened `(` without its `)` looks cut short; `name sha256=...` is just malformed.
      const incomplete = parts.incomplete && body.includes(' (');
      throw this.lineError('LOCKFILE_BAD_LINE', line, { ...parts, incomplete, problem: `in CHECKSUMS, ${parts.problem}` });
    }
    const rest = body.slice(key.length);
    if (rest !== '' && !rest.startsWith(' ')) {
      throw this.error('LOCKFILE_BAD_LINE', line, `found ${quote(rest)} right after ${quote(key)} in CHECKSUMS; expected a space, then checksums such as "sha256=..."`);
    }
    this.result.checksums[key] = rest.trim();
  }

  private readValueLine(section: ValueSection, value: string, indent: number, line: number): void {
    // Bundler 1.x to 2.x write 3 spaces here, Bundler 4 writes 2; Bundler itself just trims.
    if (indent !== 2 && indent !== 3) {
      throw this.error('LOCKFILE_BAD_INDENT', line, `found ${spaces(indent)} before ${quote(value)} in the ${section.header} section; expected 3 (or 2, as Bundler 4 writes it)`);
    }
    if (this.result[section.kind] !== null) {
      throw this.error('LOCKFILE_BAD_LINE', line, `found a second ${section.header} value ${quote(value)}; expected one (already read ${quote(this.result[section.kind] ?? '')})`);
    }
    this.result[section.kind] = value;
    if (section.kind === 'rubyVersion') this.result.rubyVersionLine = line;
  }

  /** A line that does not parse; on the file's last line a cut-short line means the file was truncated. */
  private lineError(code: LockfileErrorCode, line: number, problem: LineProblem): GemleakError {
    if (problem.incomplete && line === this.lastContentLine) {
      return this.error('LOCKFILE_TRUNCATED', line, `the file ends in the middle of a line: ${problem.problem}; expected ${problem.expected}, so the file looks cut off`);
    }
    return this.error(code, line, `${problem.problem}; expected ${problem.expected}`);
  }

  private error(code: LockfileErrorCode, line: number, message: string): GemleakError {
    return new GemleakError(code, message, { file: this.file, line });
  }

  private warn(code: LockfileWarningCode, line: number, message: string): void {
    this.result.warnings.push({ code, message, line });
  }
}

/**
 * Where the line `text[start, end)` ends once its trailing whitespace (as `trimEnd()` sees it) is left
 * out; `start` for a blank line. ASCII is checked by code, anything else is left to `trimEnd()`.
 */
function contentEnd(text: string, start: number, end: number): number {
  let stop = end;
  while (stop > start) {
    const code = text.charCodeAt(stop - 1);
    if (code === SPACE || (code >= TAB && code <= CR)) stop--;
    else if (code < 0x80) return stop;
    else return start + text.slice(start, stop).trimEnd().length;
  }
  return stop;
}

/** 1-based line of the character at `offset`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/** The whole line (without its `\n`) that the character at `offset` is on. */
function lineAround(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  return text.slice(text.lastIndexOf('\n', offset - 1) + 1, end < 0 ? text.length : end);
}

/**
 * Offset of the first of git's markers that starts a line, or -1: a run of 7 or more `<`, `=`, `>` or
 * `|` (the diff3 base), after nothing but spaces and tabs, alone or before a space.
 */
function firstConflictMarker(text: string): number {
  let first = -1;
  for (const marker of CONFLICT_MARKERS) {
    const at = findConflictMarker(text, marker, first < 0 ? text.length : first);
    if (at >= 0) first = at;
  }
  return first;
}

/** The first `marker` run before `limit` that is a conflict marker line, or -1. */
function findConflictMarker(text: string, marker: string, limit: number): number {
  const code = marker.charCodeAt(0);
  for (let at = text.indexOf(marker); at >= 0 && at < limit; ) {
    let end = at + marker.length;
    while (text.charCodeAt(end) === code) end++;
    const next = text.charCodeAt(end);
    if ((Number.isNaN(next) || next === SPACE || next === TAB || next === CR || next === NEWLINE) && onlyIndentBefore(text, at)) return at;
    at = text.indexOf(marker, end);
  }
  return -1;
}

/** Whether nothing but spaces and tabs stands between the start of the line and `offset`. */
function onlyIndentBefore(text: string, offset: number): boolean {
  for (let index = offset - 1; index >= 0; index--) {
    const code = text.charCodeAt(index);
    if (code === NEWLINE) return true;
    if (code !== SPACE && code !== TAB) return false;
  }
  return true;
}

function notALockfileMessage(firstLine: string): string {
  if (GEMFILE_LINE.test(firstLine)) {
    return `found ${quote(firstLine)}, which looks like a Gemfile; expected the lockfile Bundler writes next to it (Gemfile.lock or gems.locked; run \`bundle lock\` to create it)`;
  }
  if (firstLine.startsWith('---')) {
    return `found ${quote(firstLine)}, a YAML document (Bundler 0.9 wrote YAML lockfiles; Bundler 1.0 and later cannot read them); expected a lockfile starting with a section header such as GEM`;
  }
  return `found ${quote(firstLine)}; expected a lockfile starting with a section header such as GEM, GIT or PATH`;
}

function spaces(count: number): string {
  return count === 1 ? '1 space' : `${count} spaces`;
}
