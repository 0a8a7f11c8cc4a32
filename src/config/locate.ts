/**
 * Where each key of a TOML document is: smol-toml gives line numbers for syntax errors only, and a
 * config error must name the line of the key at fault. This scanner runs over a document that
 * smol-toml has already accepted, so it only has to find its way (headers, keys, strings, arrays,
 * inline tables), never to judge.
 *
 * Paths are the keys from the root, with array positions as numbers: `["ignore", 1, "until"]` is the
 * `until` key of the second `[[ignore]]` (or of the second inline table of `ignore = [...]`).
 */
export type KeyPath = readonly (string | number)[];

export interface KeyLocation {
  line: number;
  /** The value's source text for a scalar (`2024-02-30`, `"x"`, `1.0`); null for arrays and tables. */
  raw: string | null;
}

export class KeyLocations {
  readonly #entries = new Map<string, KeyLocation>();

  set(path: KeyPath, location: KeyLocation): void {
    const key = keyOf(path);
    if (!this.#entries.has(key)) this.#entries.set(key, location);
  }

  get(path: KeyPath): KeyLocation | undefined {
    return this.#entries.get(keyOf(path));
  }

  /** The line of `path`, else of its nearest located parent, else 1. */
  lineOf(path: KeyPath): number {
    for (let end = path.length; end > 0; end--) {
      const found = this.#entries.get(keyOf(path.slice(0, end)));
      if (found) return found.line;
    }
    return 1;
  }
}

function keyOf(path: KeyPath): string {
  return JSON.stringify(path);
}

/** Locates every key, table header and array element of a valid TOML document. */
export function locateKeys(text: string): KeyLocations {
  return new Scanner(text).document();
}

class Scanner {
  #i = 0;
  #line = 1;
  readonly #text: string;
  readonly #out = new KeyLocations();
  /** Arrays of tables seen so far (resolved path) → index of their last element. */
  readonly #tableArrays = new Map<string, number>();

  constructor(text: string) {
    this.#text = text;
  }

  document(): KeyLocations {
    let table: (string | number)[] = [];
    for (;;) {
      this.#skipBlank();
      if (this.#i >= this.#text.length) return this.#out;
      const line = this.#line;
      if (this.#text.startsWith('[[', this.#i)) {
        this.#i += 2;
        const keys = this.#key();
        this.#expect(']]');
        const parent = this.#resolve(keys.slice(0, -1));
        const arrayPath = [...parent, keys[keys.length - 1] ?? ''];
        const index = (this.#tableArrays.get(keyOf(arrayPath)) ?? -1) + 1;
        this.#tableArrays.set(keyOf(arrayPath), index);
        this.#out.set(arrayPath, { line, raw: null });
        table = [...arrayPath, index];
        this.#out.set(table, { line, raw: null });
      } else if (this.#text[this.#i] === '[') {
        this.#i += 1;
        const keys = this.#key();
        this.#expect(']');
        table = this.#resolve(keys);
        this.#out.set(table, { line, raw: null });
      } else {
        this.#keyValue(table);
      }
    }
  }

  /** A header path, with the current element index put after every array of tables it goes through. */
  #resolve(keys: string[]): (string | number)[] {
    const resolved: (string | number)[] = [];
    for (const key of keys) {
      resolved.push(key);
      const index = this.#tableArrays.get(keyOf(resolved));
      if (index !== undefined) resolved.push(index);
    }
    return resolved;
  }

  #keyValue(table: (string | number)[]): void {
    const line = this.#line;
    const keys = this.#key();
    for (let end = 1; end < keys.length; end++) this.#out.set([...table, ...keys.slice(0, end)], { line, raw: null });
    const path = [...table, ...keys];
    this.#expect('=');
    this.#skipSpaces();
    this.#value(path, line);
  }

  #value(path: (string | number)[], keyLine: number): void {
    const start = this.#i;
    const line = this.#line;
    const c = this.#text[this.#i];
    if (c === '[') {
      this.#out.set(path, { line: keyLine, raw: null });
      this.#i += 1;
      for (let index = 0; ; index++) {
        this.#skipBlank();
        if (this.#text[this.#i] === ']' || this.#i >= this.#text.length) break;
        this.#value([...path, index], this.#line);
        this.#skipBlank();
        if (this.#text[this.#i] === ',') this.#i += 1;
      }
      this.#i += 1;
      return;
    }
    if (c === '{') {
      this.#out.set(path, { line: keyLine, raw: null });
      this.#i += 1;
      for (;;) {
        this.#skipBlank();
        if (this.#text[this.#i] === '}' || this.#i >= this.#text.length) break;
        this.#keyValue(path);
        this.#skipBlank();
        if (this.#text[this.#i] === ',') this.#i += 1;
      }
      this.#i += 1;
      return;
    }
    if (this.#text.startsWith('"""', this.#i)) this.#multiLineString('"""', true);
    else if (this.#text.startsWith("'''", this.#i)) this.#multiLineString("'''", false);
    else if (c === '"') this.#string('"', true);
    else if (c === "'") this.#string("'", false);
    else {
      while (this.#i < this.#text.length && !',]}#\n\r'.includes(this.#text[this.#i] ?? '')) this.#i += 1;
    }
    this.#out.set(path, { line: keyLine === line ? keyLine : line, raw: this.#text.slice(start, this.#i).trim() });
  }

  /** A dotted key: bare, "basic" or 'literal' parts joined by dots. */
  #key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.#skipSpaces();
      const c = this.#text[this.#i];
      if (c === '"') {
        const start = this.#i;
        this.#string('"', true);
        parts.push(unescapeBasic(this.#text.slice(start + 1, this.#i - 1)));
      } else if (c === "'") {
        const start = this.#i;
        this.#string("'", false);
        parts.push(this.#text.slice(start + 1, this.#i - 1));
      } else {
        const start = this.#i;
        while (this.#i < this.#text.length && /[A-Za-z0-9_-]/.test(this.#text[this.#i] ?? '')) this.#i += 1;
        parts.push(this.#text.slice(start, this.#i));
      }
      this.#skipSpaces();
      if (this.#text[this.#i] !== '.') return parts;
      this.#i += 1;
    }
  }

  #string(quote: string, escapes: boolean): void {
    this.#i += 1;
    while (this.#i < this.#text.length) {
      const c = this.#text[this.#i];
      if (escapes && c === '\\') this.#i += 2;
      else if (c === quote) {
        this.#i += 1;
        return;
      } else if (c === '\n') return;
      else this.#i += 1;
    }
  }

  #multiLineString(quotes: string, escapes: boolean): void {
    this.#i += 3;
    while (this.#i < this.#text.length) {
      const c = this.#text[this.#i];
      if (c === '\n') this.#line += 1;
      if (escapes && c === '\\') {
        if (this.#text[this.#i + 1] === '\n') this.#line += 1;
        this.#i += 2;
      } else if (this.#text.startsWith(quotes, this.#i)) {
        this.#i += 3;
        // Up to two quotes may end the content right before the closing delimiter.
        for (let extra = 0; extra < 2 && this.#text[this.#i] === quotes[0]; extra++) this.#i += 1;
        return;
      } else this.#i += 1;
    }
  }

  #expect(token: string): void {
    this.#skipSpaces();
    if (this.#text.startsWith(token, this.#i)) this.#i += token.length;
  }

  #skipSpaces(): void {
    while (this.#text[this.#i] === ' ' || this.#text[this.#i] === '\t') this.#i += 1;
  }

  /** Spaces, newlines and comments. */
  #skipBlank(): void {
    for (;;) {
      const c = this.#text[this.#i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') this.#i += 1;
      else if (c === '\n') {
        this.#i += 1;
        this.#line += 1;
      } else if (c === '#') {
        while (this.#i < this.#text.length && this.#text[this.#i] !== '\n') this.#i += 1;
      } else return;
    }
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\u001b', '"': '"', '\\': '\\' };

function unescapeBasic(text: string): string {
  return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)/g, (_, escaped: string) => {
    if (escaped.length > 1) return String.fromCodePoint(Number.parseInt(escaped.slice(1), 16));
    return ESCAPES[escaped] ?? escaped;
  });
}
