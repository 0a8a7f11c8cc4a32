import { describe, expect, it } from 'vitest';
import { cell, code, renderMarkdown } from '../../src/report/markdown.js';
import { renderJunit, xml } from '../../src/report/junit.js';
import { CHECK_FORMATS, type CheckFormat, RENDERERS, type Renderer, renderReport } from '../../src/report/index.js';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { advisory, audit, context, finding, result } from './sample.js';

const gems = (lockfile: string) =>
  [
    { name: 'rack', version: '2.2.8', line: 4 },
    { name: 'redis', version: '3.3.0', line: 5 },
    { name: 'oj', version: '0.9', line: 6 },
    { name: 'json', version: '2.7.1', line: 7 },
  ].map((gem) => ({ ...gem, lockfile }));

const busy = result(
  [
    audit(
      'api/Gemfile.lock',
      [
        finding('redis', '3.3.0', 'api/Gemfile.lock', 5),
        finding('redis', '3.3.0', 'api/Gemfile.lock', 5, { advisory: advisory('redis', '700', { title: 'Second <leak> & "more"' }) }),
        finding('oj', '0.9', 'api/Gemfile.lock', 6, { advisory: advisory('oj', '229', { title: 'Pipes | and `ticks`' }), suppressed: { reason: "tasks only, <they> exit's", until: '2025-06-30' } }),
      ],
      gems('api/Gemfile.lock'),
    ),
    audit('web/Gemfile.lock', [], gems('web/Gemfile.lock').slice(0, 2)),
  ],
  { warnings: [{ message: 'ignore x-1 matched no finding', file: '.gemleak.toml', line: 3 }] },
);

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(busy, context);
  const lines = markdown.split('\n');

  it('has a headline, a table of the findings that fail, the ignored ones folded, warnings and a footer', () => {
    expect(lines[0]).toBe('### :x: gemleak: 2 known leaks in 1 gem version (1 of 2 lockfiles affected)');
    const table = lines.filter((line) => line.startsWith('| '));
    expect(table.slice(0, 4)).toEqual([
      '| Gem | Lockfile | Advisory | Fix |',
      '| --- | --- | --- | --- |',
      '| **redis** 3.3.0 | `monorepo/api/Gemfile.lock:5` | [redis-612](https://github.com/example/redis/issues/612) (high): redis keeps every request alive | upgrade to 3.3.1 (safe: 3.3.1 and later): `bundle update redis` |',
      '| **redis** 3.3.0 | `monorepo/api/Gemfile.lock:5` | [redis-700](https://github.com/example/redis/issues/700) (high): Second &lt;leak&gt; &amp; "more" | upgrade to 3.3.1 (safe: 3.3.1 and later): `bundle update redis` |',
    ]);
    expect(markdown).toContain('<details><summary>Ignored (1)</summary>');
    expect(table).toContain("| oj 0.9 | `monorepo/api/Gemfile.lock:6` | [oj-229](https://github.com/example/oj/issues/229) | tasks only, &lt;they&gt; exit's (until 2025-06-30) |");
    expect(markdown).toContain('- `monorepo/.gemleak.toml:3`: ignore x-1 matched no finding');
    expect(lines.at(-2)).toBe('<sub>6 gems checked in 2 lockfiles against 14 advisories · Database: bundled (14) · gemleak 0.1.0</sub>');
  });

  it('every table row has as many cells as the header', () => {
    for (const row of lines.filter((line) => line.startsWith('| '))) {
      expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(6);
    }
  });

  it('says so when clean', () => {
    expect(renderMarkdown(result([audit('Gemfile.lock', [], gems('Gemfile.lock'))]), context).split('\n')[0]).toBe('### :white_check_mark: gemleak: no known memory leaks in `monorepo/Gemfile.lock`');
  });

  it('escapes table cells and code spans', () => {
    expect(cell('a | b\n*c* <d> [e](f) `g`')).toBe('a \\| b \\*c\\* &lt;d&gt; \\[e\\](f) \\`g\\`');
    expect(code('a|b')).toBe('`a\\|b`');
    expect(code('a`b')).toBe('`` a`b ``');
  });
});

/** The JUnit report as a DOM: a parse error (or an XML warning) fails the test. */
function parseXml(text: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`JUnit output is not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

const elements = (parent: Document | Element, name: string): Element[] => Array.from({ length: parent.getElementsByTagName(name).length }, (_, i) => parent.getElementsByTagName(name).item(i)!);
const attributes = (element: Element): Record<string, string> =>
  Object.fromEntries(Array.from({ length: element.attributes.length }, (_, i) => element.attributes.item(i)!).map((attribute) => [attribute.name, attribute.value]));

describe('renderJunit', () => {
  const junit = renderJunit(busy, context);
  const doc = parseXml(junit);
  const root = doc.documentElement!;

  it('is well-formed XML with one suite per lockfile and one test case per checked gem', () => {
    expect(junit.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.tagName).toBe('testsuites');
    expect(attributes(root)).toEqual({ name: 'gemleak', tests: '6', failures: '1', errors: '0', skipped: '1', time: '0' });
    const suites = elements(root, 'testsuite');
    expect(suites.map((suite) => suite.parentNode)).toEqual([root, root]);
    expect(suites.map(attributes)).toEqual([
      { name: 'monorepo/api/Gemfile.lock', tests: '4', failures: '1', errors: '0', skipped: '1', timestamp: '2025-06-15T08:30:00', time: '0' },
      { name: 'monorepo/web/Gemfile.lock', tests: '2', failures: '0', errors: '0', skipped: '0', timestamp: '2025-06-15T08:30:00', time: '0' },
    ]);
    // Each suite's counts are those of its own test cases.
    for (const suite of suites) {
      const cases = elements(suite, 'testcase');
      expect(cases.length, suite.getAttribute('name') ?? '').toBe(Number(suite.getAttribute('tests')));
      expect(cases.filter((testcase) => elements(testcase, 'failure').length > 0).length).toBe(Number(suite.getAttribute('failures')));
      expect(cases.filter((testcase) => elements(testcase, 'skipped').length > 0).length).toBe(Number(suite.getAttribute('skipped')));
    }
    const cases = elements(root, 'testcase');
    // In each suite, the gems by name.
    expect(cases.map((testcase) => testcase.getAttribute('name'))).toEqual(['json (2.7.1)', 'oj (0.9)', 'rack (2.2.8)', 'redis (3.3.0)', 'rack (2.2.8)', 'redis (3.3.0)']);
    expect(attributes(cases[2]!)).toEqual({ classname: 'monorepo/api/Gemfile.lock', name: 'rack (2.2.8)', file: 'monorepo/api/Gemfile.lock', line: '4', time: '0' });
  });

  it('fails a gem with a leak (one failure naming every advisory), skips a gem whose findings are ignored', () => {
    const failures = elements(root, 'failure');
    expect(failures).toHaveLength(1);
    const failure = failures[0]!;
    expect((failure.parentNode as Element).getAttribute('name')).toBe('redis (3.3.0)');
    expect(attributes(failure)).toEqual({
      message: 'redis 3.3.0 has a known memory leak (redis-612): redis keeps every request alive. redis 3.3.0 has a known memory leak (redis-700): Second <leak> & "more".',
      type: 'redis-612 redis-700',
    });
    expect(failure.textContent).toContain('Upgrade to 3.3.1 (safe: 3.3.1 and later): bundle update redis.');
    const skipped = elements(root, 'skipped');
    expect(skipped).toHaveLength(1);
    expect((skipped[0]!.parentNode as Element).getAttribute('name')).toBe('oj (0.9)');
    expect(skipped[0]!.getAttribute('message')).toBe("ignored oj-229: tasks only, <they> exit's (until 2025-06-30)");
  });

  it('escapes the five XML characters and drops characters XML cannot hold', () => {
    expect(xml(`a&b<c>d"e'f\u0001g`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;fg');
    // What the escaping is for: hostile text reads back as itself from a real XML parser.
    const hostile = `</failure><x a="1'>&amp;]]>\u0001`;
    const attribute = parseXml(`<r a="${xml(hostile)}">${xml(hostile)}</r>`).documentElement!;
    expect(attribute.getAttribute('a')).toBe(hostile.replace('\u0001', ''));
    expect(attribute.textContent).toBe(hostile.replace('\u0001', ''));
  });
});

describe('the renderer map', () => {
  it('maps every --format to the renderer of its own module', async () => {
    const modules: Record<CheckFormat, Renderer> = {
      text: (await import('../../src/report/text.js')).renderText,
      table: (await import('../../src/report/table.js')).renderTable,
      json: (await import('../../src/report/json.js')).renderJson,
      sarif: (await import('../../src/report/sarif.js')).renderSarif,
      github: (await import('../../src/report/github.js')).renderGithub,
      markdown: renderMarkdown,
      junit: renderJunit,
    };
    expect([...CHECK_FORMATS].sort()).toEqual(Object.keys(modules).sort());
    for (const format of CHECK_FORMATS) {
      expect(await RENDERERS[format](), format).toBe(modules[format]);
      const output = await renderReport(format, busy, context);
      expect(output, format).toBe(modules[format](busy, context));
      expect(output, format).toContain(format === 'table' ? 'redis' : 'redis-612');
    }
  });
});
