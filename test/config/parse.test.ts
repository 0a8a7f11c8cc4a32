import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { GemleakError } from '../../src/errors.js';

const base = path.resolve('/project');
const parse = (text: string) => parseConfig(text, '.gemleak.toml', base);

/** Parses and returns the GemleakError thrown, failing the test when none is. */
function failure(text: string): GemleakError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof GemleakError) return error;
    throw error;
  }
  throw new Error(`expected a config error for:\n${text}`);
}

describe('parseConfig: every key', () => {
  it('reads format, max_age, ignores (dates and strings) and databases', () => {
    const config = parse(`# team settings
format = "sarif"
max_age = 14

[[ignore]]
id = "celluloid-670"
reason = "only in the rake tasks, which exit"
until = 2025-06-30

[[ignore]]
id = "redis-612"
reason = """
The API pins redis until the
cluster upgrade."""
until = "2026-01-31"

[[ignore]]
id = "net-http-persistent-300"
reason = "no end date"

[[database]]
url = "https://github.com/rubymem/ruby-mem-advisory-db.git"

[[database]]
name = "internal"
path = "leak-reports"
`);
    expect(config.file).toBe('.gemleak.toml');
    expect(config.format).toBe('sarif');
    expect(config.maxAge).toBe(14);
    expect(config.ignores).toEqual([
      { id: 'celluloid-670', reason: 'only in the rake tasks, which exit', until: '2025-06-30', line: 5 },
      { id: 'redis-612', reason: 'The API pins redis until the\ncluster upgrade.', until: '2026-01-31', line: 10 },
      { id: 'net-http-persistent-300', reason: 'no end date', until: null, line: 17 },
    ]);
    expect(config.databases).toEqual([
      { kind: 'url', url: 'https://github.com/rubymem/ruby-mem-advisory-db.git', name: null, line: 21 },
      { kind: 'path', path: path.join(base, 'leak-reports'), name: 'internal', line: 24 },
    ]);
  });

  it("takes a local database URL from the config file's folder", () => {
    expect(parse('[[database]]\nurl = "../leak-db"\n').databases).toEqual([{ kind: 'url', url: path.resolve(base, '../leak-db'), name: null, line: 1 }]);
    expect(parse('[[database]]\nurl = "git@github.com:acme/leaks.git"\n').databases[0]).toMatchObject({ url: 'git@github.com:acme/leaks.git' });
  });

  it('accepts an empty file and inline tables', () => {
    expect(parse('')).toEqual({ file: '.gemleak.toml', format: null, maxAge: null, ignores: [], databases: [] });
    const config = parse('ignore = [\n  { id = "oj-229", reason = "r1" },\n  { id = "grape-301", reason = "r2", until = 2030-01-01 },\n]\n');
    expect(config.ignores).toEqual([
      { id: 'oj-229', reason: 'r1', until: null, line: 2 },
      { id: 'grape-301', reason: 'r2', until: '2030-01-01', line: 3 },
    ]);
  });

  it('accepts every format name and integer spellings of max_age', () => {
    for (const format of ['text', 'json', 'sarif', 'github', 'markdown', 'junit']) expect(parse(`format = "${format}"`).format).toBe(format);
    expect(parse('max_age = 1_000').maxAge).toBe(1000);
    expect(parse('max_age = 0x1E').maxAge).toBe(30);
    // As --max-age 0 on the command line: stale from the day after the sync.
    expect(parse('max_age = 0').maxAge).toBe(0);
  });
});

describe('parseConfig: every error names the key and its line (exit 2)', () => {
  const cases: { name: string; text: string; line: number; message: RegExp }[] = [
    { name: 'TOML syntax', text: 'format = "json"\n[ignore\n', line: 2, message: /^not valid TOML: / },
    { name: 'impossible month (TOML itself)', text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = 2024-13-01\n', line: 4, message: /^not valid TOML: invalid date/ },
    {
      name: 'unknown top-level key',
      text: 'format = "json"\n\nfromat = "text"\n',
      line: 3,
      message: /^unknown key "fromat" at the top level \(did you mean "format"\?\); known keys: format, max_age, ignore, database$/,
    },
    { name: 'unknown table', text: '[check]\nformat = "json"\n', line: 1, message: /^unknown key "check" at the top level/ },
    {
      name: 'typo in an ignore',
      text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntill = 2025-01-01\n',
      line: 4,
      message: /^unknown key "untill" in \[\[ignore\]\] \(did you mean "until"\?\); known keys: id, reason, until$/,
    },
    {
      name: 'typo in a second ignore',
      text: '[[ignore]]\nid = "a-1"\nreason = "r"\n\n[[ignore]]\nid = "b-2"\nresaon = "r"\n',
      line: 7,
      message: /^unknown key "resaon" in \[\[ignore\]\] \(did you mean "reason"\?\)/,
    },
    {
      name: 'unknown key in an inline ignore',
      text: 'ignore = [\n  { id = "a-1", reason = "r" },\n  { id = "b-2", reason = "r", expires = 2025-01-01 },\n]\n',
      line: 3,
      message: /^unknown key "expires" in \[\[ignore\]\]/,
    },
    { name: 'format not a string', text: '\nformat = 1\n', line: 2, message: /^format: expected a string, got an integer \(1\)$/ },
    { name: 'format unknown', text: 'format = "xml"\n', line: 1, message: /^format: unknown format "xml" \(choose one of text, table, json, sarif, github, markdown, junit\)$/ },
    { name: 'max_age a string', text: 'max_age = "30"\n', line: 1, message: /^max_age: expected a whole number of days \(max_age = 30\), got a string \("30"\)$/ },
    { name: 'max_age a float', text: 'max_age = 1.0\n', line: 1, message: /^max_age: .* got a number \(1\.0\)$/ },
    { name: 'max_age minus one', text: 'max_age = -1\n', line: 1, message: /^max_age: expected a whole number of days/ },
    { name: 'max_age negative', text: 'max_age = -3\n', line: 1, message: /^max_age: / },
    { name: 'ignore as one table', text: 'format = "text"\n[ignore]\nid = "a-1"\n', line: 2, message: /^ignore: expected a list of tables, written \[\[ignore\]\] once per entry, got a table$/ },
    { name: 'ignore as strings', text: 'ignore = ["a-1"]\n', line: 1, message: /^ignore: every entry must be a table \(\[\[ignore\]\]\), got a string \("a-1"\)$/ },
    { name: 'id missing', text: '[[ignore]]\nreason = "r"\n', line: 1, message: /^\[\[ignore\]\]: missing id \(id = "celluloid-670"\)$/ },
    { name: 'id not a string', text: '[[ignore]]\nid = 670\nreason = "r"\n', line: 2, message: /^\[\[ignore\]\] id: expected a string, got an integer \(670\)$/ },
    { name: 'id without the gem', text: '[[ignore]]\nid = "670"\nreason = "r"\n', line: 2, message: /^\[\[ignore\]\] id: expected <gem>-<advisory id> \(e\.g\. celluloid-670\), got "670"$/ },
    { name: 'id twice', text: '[[ignore]]\nid = "a-1"\nreason = "r"\n[[ignore]]\nid = "a-1"\nreason = "s"\n', line: 5, message: /^\[\[ignore\]\] id: "a-1" is already ignored on line 2$/ },
    { name: 'reason missing', text: '\n[[ignore]]\nid = "a-1"\n', line: 2, message: /^\[\[ignore\]\]: missing reason/ },
    { name: 'reason empty', text: '[[ignore]]\nid = "a-1"\nreason = "  "\n', line: 3, message: /^\[\[ignore\]\] reason: must not be empty$/ },
    {
      name: 'until not a real day',
      text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = 2025-02-29\n',
      line: 4,
      message: /^\[\[ignore\]\] until: not a valid date: "2025-02-29" \(write YYYY-MM-DD: until = 2025-06-30\)$/,
    },
    { name: 'until a string that is not a date', text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = "next month"\n', line: 4, message: /^\[\[ignore\]\] until: not a valid date: "next month"/ },
    { name: 'until a string with a bad day', text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = "2025-04-31"\n', line: 4, message: /^\[\[ignore\]\] until: not a valid date: "2025-04-31"/ },
    {
      name: 'until with a time',
      text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = 2025-06-30T12:00:00Z\n',
      line: 4,
      message: /^\[\[ignore\]\] until: expected a date without a time \(write YYYY-MM-DD: until = 2025-06-30\), got 2025-06-30T12:00:00Z$/,
    },
    { name: 'until a local time', text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = 12:00:00\n', line: 4, message: /^\[\[ignore\]\] until: expected a date without a time/ },
    {
      name: 'until a number',
      text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil = 20250630\n',
      line: 4,
      message: /^\[\[ignore\]\] until: expected a date \(write YYYY-MM-DD: until = 2025-06-30\), got an integer \(20250630\)$/,
    },
    { name: 'database without url or path', text: '[[database]]\nname = "x"\n', line: 1, message: /^\[\[database\]\]: missing url .* or path/ },
    { name: 'database with both', text: '[[database]]\nurl = "https://example.com/db.git"\npath = "db"\n', line: 3, message: /^\[\[database\]\]: give either url .* or path .*, not both$/ },
    { name: 'database url git would run a program for', text: '[[database]]\n\nurl = "ext::sh -c id"\n', line: 3, message: /^\[\[database\]\] url: refusing database URL 'ext::sh -c id': / },
    { name: 'database url that git would take for an option', text: '[[database]]\nurl = "-oProxyCommand=id"\n', line: 2, message: /^\[\[database\]\] url: refusing database URL/ },
    { name: 'database url empty', text: '[[database]]\nurl = ""\n', line: 2, message: /^\[\[database\]\] url: must not be empty$/ },
    {
      name: 'database name not a string',
      text: '[[database]]\nurl = "https://example.com/db.git"\nname = true\n',
      line: 3,
      message: /^\[\[database\]\] name: expected a string, got a boolean \(true\)$/,
    },
    {
      name: 'unknown key in a database',
      text: '[[database]]\nurl = "https://example.com/db.git"\nbranch = "main"\n',
      line: 3,
      message: /^unknown key "branch" in \[\[database\]\]; known keys: url, path, name$/,
    },
    { name: 'dotted key into an ignore', text: '[[ignore]]\nid = "a-1"\nreason = "r"\nuntil.day = 1\n', line: 4, message: /^\[\[ignore\]\] until: expected a date .* got a table$/ },
    {
      name: 'Windows line endings',
      text: 'format = "text"\r\n\r\n[[ignore]]\r\nid = "a-1"\r\nreason = "r"\r\nuntil = "2025-13-01"\r\n',
      line: 6,
      message: /^\[\[ignore\]\] until: not a valid date: "2025-13-01"/,
    },
    {
      name: 'line after a multi-line string',
      text: 'format = "text"\n[[ignore]]\nid = "a-1"\nreason = """\nline one\nuntil = "this is text"\n"""\nuntil = 2025-02-30\n',
      line: 8,
      message: /^\[\[ignore\]\] until: not a valid date: "2025-02-30"/,
    },
  ];

  it.each(cases)('$name', ({ text, line, message }) => {
    const error = failure(text);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.file).toBe('.gemleak.toml');
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
  });
});
