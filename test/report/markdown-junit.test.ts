import { describe, expect, it } from 'vitest';
import { cell, code, renderMarkdown } from '../../src/report/markdown.js';
import { renderJunit, xml } from '../../src/report/junit.js';
import { CHECK_FORMATS, RENDERERS } from '../../src/report/index.js';
import { advisory, audit, context, finding, result } from './sample.js';

const gems = (lockfile: string) => [
  { name: 'rack', version: '2.2.8', line: 4 },
  { name: 'redis', version: '3.3.0', line: 5 },
  { name: 'oj', version: '0.9', line: 6 },
  { name: 'json', version: '2.7.1', line: 7 },
].map((gem) => ({ ...gem, lockfile }));

const busy = result([
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
], { warnings: [{ message: 'ignore x-1 matched no finding', file: '.gemleak.toml', line: 3 }] });

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(busy, context);
  const lines = markdown.split('\n');

  it('has a headline, a table of the findings that fail, the ignored ones folded, warnings and a footer', () => {
    expect(lines[0]).toBe('### :x: gemleak: 2 known leaks in 1 gem version (1 of 2 lockfiles affected)');
    const table = lines.filter((line) => line.startsWith('| '));
    expect(table.slice(0, 4)).toEqual([
      '| Gem | Lockfile | Advisory | Fix |',
      '| --- | --- | --- | --- |',
      '| **redis** 3.3.0 | `monorepo/api/Gemfile.lock:5` | [redis-612](https://github.com/example/redis/issues/612) (high): redis keeps every request alive | upgrade to 3.3.1 (safe: 3.3.1 and later): `bundle update redis --conservative` |',
      '| **redis** 3.3.0 | `monorepo/api/Gemfile.lock:5` | [redis-700](https://github.com/example/redis/issues/700) (high): Second &lt;leak&gt; &amp; "more" | upgrade to 3.3.1 (safe: 3.3.1 and later): `bundle update redis --conservative` |',
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
    expect(renderMarkdown(result([audit('Gemfile.lock', [], gems('Gemfile.lock'))]), context).split('\n')[0]).toBe(
      '### :white_check_mark: gemleak: no known memory leaks in `monorepo/Gemfile.lock`',
    );
  });

  it('escapes table cells and code spans', () => {
    expect(cell('a | b\n*c* <d> [e](f) `g`')).toBe('a \\| b \\*c\\* &lt;d&gt; \\[e\\](f) \\`g\\`');
    expect(code('a|b')).toBe('`a\\|b`');
    expect(code('a`b')).toBe('`` a`b ``');
  });
});

describe('renderJunit', () => {
  const junit = renderJunit(busy, context);

  it('has one suite per lockfile and one test case per checked gem', () => {
    expect(junit.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gemleak" tests="6" failures="1" errors="0" skipped="1" time="0">\n')).toBe(true);
    expect(junit).toContain('<testsuite name="monorepo/api/Gemfile.lock" tests="4" failures="1" errors="0" skipped="1" timestamp="2025-06-15T08:30:00" time="0">');
    expect(junit).toContain('<testsuite name="monorepo/web/Gemfile.lock" tests="2" failures="0" errors="0" skipped="0" timestamp="2025-06-15T08:30:00" time="0">');
    expect(junit.match(/<testcase /g)).toHaveLength(6);
    expect(junit).toContain('<testcase classname="monorepo/api/Gemfile.lock" name="rack (2.2.8)" file="monorepo/api/Gemfile.lock" line="4" time="0"/>');
    expect(junit.match(/<testsuite /g)).toHaveLength(2);
    expect(junit.match(/<\/testsuite>/g)).toHaveLength(2);
  });

  it('fails a gem with a leak (one failure naming every advisory), skips a gem whose findings are ignored', () => {
    expect(junit).toContain(
      '<failure message="redis 3.3.0 has a known memory leak (redis-612): redis keeps every request alive. redis 3.3.0 has a known memory leak (redis-700): Second &lt;leak&gt; &amp; &quot;more&quot;." type="redis-612 redis-700">',
    );
    expect(junit).toContain('Upgrade to 3.3.1 (safe: 3.3.1 and later): bundle update redis --conservative.');
    expect(junit).toContain('<skipped message="ignored oj-229: tasks only, &lt;they&gt; exit&apos;s (until 2025-06-30)"/>');
    expect(junit.match(/<failure /g)).toHaveLength(1);
  });

  it('escapes the five XML characters and drops characters XML cannot hold', () => {
    expect(xml(`a&b<c>d"e'f\u0001g`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;fg');
  });
});

describe('the renderer map', () => {
  it('has a renderer for every --format', async () => {
    for (const format of CHECK_FORMATS) {
      const render = await RENDERERS[format]();
      expect(typeof render(busy, context), format).toBe('string');
    }
  });
});
