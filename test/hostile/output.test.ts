import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forTerminal, pathToUriReference, safeHttpUrl, shellWord, terminalLine, terminalText } from '../../src/report/escape.js';
import { fixFor } from '../../src/audit/fix.js';
import { parseLockfile } from '../../src/lockfile/index.js';
import type { Advisory } from '../../src/advisories/types.js';
import { code } from '../../src/report/markdown.js';
import { runCli } from '../helpers/cli.js';
import { lockfileWith, tempDir } from '../helpers/fixtures.js';
import { SKIP_NO_SHARED } from '../helpers/paths.js';
import { hasSarifSchema, sarifValidator } from '../report/sample.js';

// Issue 11, "Output that cannot be turned against the reader": an advisory database and folder
// names written by an attacker, through the real CLI, in every report format.
const ESC = '\u001b';
const OSC_TITLE = `${ESC}]0;pwned${'\u0007'}`;
const CLEAR = `${ESC}[2J${ESC}[H`;
// No whitespace: the advisory schema refuses URLs with spaces; everything else gets through it.
const HOSTILE_URL = 'https://example.com/a)![x](https://evil.example/i.png)<img/src=x/onerror=alert(1)><!--';
const FOLDERS = {
  newline: 'app\n::error::injected',
  space: 'my app #1 100%',
  ticks: 'a``b',
};

let root: string;
let db: string;
const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: root, env: { GEMLEAK_DB: db, ...env } });

beforeAll(() => {
  root = tempDir('gemleak-hostile-output-');
  db = path.join(root, 'db');
  mkdirSync(path.join(db, 'gems', 'redis'), { recursive: true });
  writeFileSync(
    path.join(db, 'gems', 'redis', '612.yml'),
    [
      '---',
      'gem: redis',
      `url: ${JSON.stringify(HOSTILE_URL)}`,
      `title: ${JSON.stringify(`Leaks ${OSC_TITLE}${CLEAR} then\n::error::title-injected`)}`,
      'date: 2020-02-03',
      `description: ${JSON.stringify(`first line\n::stop-commands::token\n  ::error file=x::described ${CLEAR}\u202egnp.exe`)}`,
      'leaky_versions:',
      '  - "= 3.3.0"',
      'patched_versions:',
      '  - ">= 3.3.1"',
      '',
    ].join('\n'),
  );
  for (const folder of Object.values(FOLDERS)) {
    mkdirSync(path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, folder, 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * No escape character, no C1 control, and no line that GitHub Actions would read as a command but
 * gemleak's own annotations (`ownCommands` of them, last, one per finding: the text report adds
 * them in GitHub Actions).
 */
function expectInert(text: string, ownCommands = 0): void {
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  const commands = text.split('\n').filter((line) => line.trimStart().startsWith('::'));
  expect(commands).toHaveLength(ownCommands);
  for (const command of commands) expect(command).toMatch(/^::error file=[^:]*%0A%3A%3Aerror%3A%3Ainjected\/Gemfile.lock,line=4,|^::error file=[^:\n]*\/Gemfile.lock,line=4,/);
}

describe('text and compact reports: no terminal escapes, no workflow commands', () => {
  it.each(Object.entries(FOLDERS))('check %s, verbose, in GitHub Actions', (_name, folder) => {
    const result = run(['check', `${folder}/Gemfile.lock`, '--verbose'], { GITHUB_ACTIONS: 'true' });
    expect(result.status).toBe(1);
    expectInert(result.stdout, 1);
    expectInert(result.stderr);
    expect(result.stdout).toContain('\\e]0;pwned\\x07');
    expect(result.stdout).toContain('then\\n::error::title-injected');
    expect(result.stdout).toContain('\\x3a:stop-commands::token');
    expect(result.stdout).toContain('\\u202egnp.exe');
  });

  it('names the newline folder escaped', () => {
    expect(run(['check', `${FOLDERS.newline}/Gemfile.lock`]).stdout).toContain('app\\n::error::injected/Gemfile.lock:4');
  });

  it('errors and warnings quoting a hostile path are one line', () => {
    const missing = run(['check', `missing\n::error::x${ESC}[2J/Gemfile.lock`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    expectInert(missing.stderr);
  });

  it('the compact report (hook) quotes folders for the shell: `-rf`, non-UTF-8 bytes, newlines', () => {
    const runnable = (lockfile: string) => {
      const advisory = {
        id: '612',
        gem: 'redis',
        url: 'https://example.com',
        title: 't',
        date: '2020-01-01',
        description: '',
        leakyVersions: ['= 3.3.0'],
        patchedVersions: ['>= 3.3.1'],
        unaffectedVersions: [],
        platform: null,
        framework: null,
        related: [],
        file: 'gems/redis/612.yml',
      } as Advisory;
      return fixFor(parseLockfile(lockfileWith(['redis (3.3.0)']), lockfile), { name: 'redis', version: '3.3.0' }, [null], [advisory], advisory).runnable;
    };
    expect(runnable('-rf/Gemfile.lock')).toBe("cd -- '-rf' && bundle update redis");
    expect(runnable('caf\udce9/Gemfile.lock')).toBe("cd -- $'caf\\xe9' && bundle update redis");
    expect(runnable("it's\n::error::x/Gemfile.lock")).toBe("cd -- $'it\\'s\\n::error::x' && bundle update redis");
    expect(runnable('caf\u00e9/Gemfile.next.lock')).toBe("cd -- 'caf\u00e9' && BUNDLE_GEMFILE=Gemfile.next bundle update redis");
  });

  it('escape helpers, table-driven', () => {
    const rows: [string, string][] = [
      ['plain', 'plain'],
      [`a${ESC}[31mb`, 'a\\e[31mb'],
      ['a\r\nb\tc', 'a\\r\\nb\\tc'],
      ['\u009b2J', '\\x9b2J'],
      ['x\u2028y', 'x\\u2028y'],
      ['caf\udce9', 'caf\\xe9'],
      ['emoji \u{1F600} and \u{10080}', 'emoji \u{1F600} and \u{10080}'],
    ];
    for (const [input, expected] of rows) expect(terminalLine(input)).toBe(expected);
    expect(terminalText('a\n  ::error::x\n:: y')).toBe('a\n  \\x3a:error::x\n\\x3a: y');
    expect(forTerminal({ title: 'a\nb', description: 'a\nb', list: ['\u0007'] })).toEqual({ title: 'a\\nb', description: 'a\nb', list: ['\\x07'] });
    expect(shellWord('a\\b\u0007')).toBe("$'a\\\\b\\x07'");
  });
});

describe('Markdown: rendered by a real CommonMark renderer (markdown-it, GFM tables)', () => {
  const renderer = new MarkdownIt({ html: true });

  it.each(Object.entries(FOLDERS))('%s: no injected image, HTML or comment; the link keeps its URL', (_name, folder) => {
    const result = run(['check', `${folder}/Gemfile.lock`, '--format', 'markdown']);
    expect(result.status).toBe(1);
    const html = renderer.render(result.stdout);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<!--');
    expect(html).not.toMatch(/\sonerror=/i);
    // The table survives: one data row with four cells, the footer after it.
    expect(html.match(/<tr>/g)).toHaveLength(2);
    expect(html).toContain('<sub>');
    const link = /<a href="([^"]*)">redis-612<\/a>/.exec(html);
    expect(link?.[1]).toBe(renderer.utils.escapeHtml(safeHttpUrl(HOSTILE_URL) ?? ''));
    expect(decodeURIComponent(link?.[1] ?? '').replace(/&amp;/g, '&')).toContain('a)![x](https://evil.example/i.png)');
  });

  it('a path with backticks is one code span holding the path exactly', () => {
    for (const text of ['a``b/Gemfile.lock', '`x', 'y`', 'a`b``c```d', '``']) {
      const html = renderer.renderInline(code(text).replace(/\\\|/g, '|'));
      expect(html).toBe(`<code>${renderer.utils.escapeHtml(text)}</code>`);
    }
  });

  it('a javascript: advisory URL is never a link', () => {
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('https://x.example/a b(c)<d>"e`f')).toBe('https://x.example/a%20b%28c%29%3Cd%3E%22e%60f');
    expect(safeHttpUrl('https://x.example/%zz%41')).toBe('https://x.example/%25zz%41');
  });
});

describe.skipIf(!hasSarifSchema)(`SARIF: valid against the official schema ${hasSarifSchema ? '' : SKIP_NO_SHARED}`, () => {
  it.each([...Object.entries(FOLDERS), ['percent', 'my app #1 100%']])('%s: uri percent-encoded, bad advisory URL harmless', async (_name, folder) => {
    const validate = await sarifValidator();
    const result = run(['check', `${folder}/Gemfile.lock`, '--format', 'sarif']);
    expect(result.status).toBe(1);
    const log = JSON.parse(result.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const uri = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri as string;
    expect(uri).toBe(pathToUriReference(`${folder}/Gemfile.lock`));
    expect(decodeURIComponent(uri)).toBe(`${folder}/Gemfile.lock`);
    expect(uri).not.toMatch(/[ #\n`]|%(?![0-9A-F]{2})/);
  });

  it('a URL that is not a URI at all leaves out helpUri and stays valid', async () => {
    const validate = await sarifValidator();
    const other = path.join(root, 'db2');
    mkdirSync(path.join(other, 'gems', 'redis'), { recursive: true });
    writeFileSync(path.join(other, 'gems', 'redis', '1.yml'), '---\ngem: redis\nurl: "https://[bad%zz"\ntitle: t\ndate: 2020-01-01\ndescription: d\nleaky_versions:\n  - "= 3.3.0"\n');
    const result = runCli(['check', `${FOLDERS.space}/Gemfile.lock`, '--format', 'sarif'], { cwd: root, env: { GEMLEAK_DB: other } });
    const log = JSON.parse(result.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].tool.driver.rules[0].helpUri).toBeUndefined();
  });
});

describe('JUnit: hostile names parse as XML and keep their text', () => {
  it.each(Object.entries({ ...FOLDERS, xml: `<a b="c">&amp;'` }))('%s', (_name, folder) => {
    mkdirSync(path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, folder, 'Gemfile.lock'), lockfileWith(['redis (3.3.0)']));
    const result = run(['check', `${folder}/Gemfile.lock`, '--format', 'junit']);
    expect(result.status).toBe(1);
    expect(XMLValidator.validate(result.stdout)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true, htmlEntities: true }).parse(result.stdout);
    const suite = parsed.testsuites.testsuite;
    expect(suite.name).toBe(`${folder}/Gemfile.lock`);
    expect(suite.testcase.failure.type).toBe('redis-612');
    expect(String(suite.testcase.failure['#text'])).toContain(HOSTILE_URL);
    expect(result.stdout).not.toContain(ESC);
  });
});
