import { describe, expect, it } from 'vitest';
import { command, escapeData, escapeProperty, renderGithub } from '../../src/report/github.js';
import { advisory, audit, context, finding, result } from './sample.js';

describe('GitHub workflow-command escaping (as actions/toolkit)', () => {
  const cases = [
    { input: '100%', data: '100%25', property: '100%25' },
    { input: 'a\rb', data: 'a%0Db', property: 'a%0Db' },
    { input: 'a\nb', data: 'a%0Ab', property: 'a%0Ab' },
    { input: 'a:b', data: 'a:b', property: 'a%3Ab' },
    { input: 'a,b', data: 'a,b', property: 'a%2Cb' },
    // `%` first: an escape sequence in the input is not taken for one.
    { input: '%0A:,', data: '%250A:,', property: '%250A%3A%2C' },
    { input: '::error::x', data: '::error::x', property: '%3A%3Aerror%3A%3Ax' },
  ];
  it.each(cases)('$input', ({ input, data, property }) => {
    expect(escapeData(input)).toBe(data);
    expect(escapeProperty(input)).toBe(property);
  });

  it('escapes every property value and the message of one command', () => {
    expect(
      command({
        level: 'warning',
        properties: [
          ['file', 'a,b/Gemfile.lock'],
          ['line', 3],
          ['title', 'x: 50%'],
        ],
        message: 'line 1\r\nline 2: 100%',
      }),
    ).toBe('::warning file=a%2Cb/Gemfile.lock,line=3,title=x%3A 50%25::line 1%0D%0Aline 2: 100%25');
  });
});

describe('renderGithub', () => {
  it('gives one ::error per finding that fails the run, at its spec line, and none for ignored ones', () => {
    const output = renderGithub(
      result([
        audit(
          'api/Gemfile.lock',
          [
            finding('redis', '3.3.0', 'api/Gemfile.lock', 87),
            finding('oj', '0.9', 'api/Gemfile.lock', 40, { advisory: advisory('oj', '229', { patchedVersions: [], title: 'Parser, leaks: 100%\nbadly' }), platforms: ['java', 'ruby'] }),
            finding('redis', '3.3.0', 'api/Gemfile.lock', 87, { advisory: advisory('redis', '700'), suppressed: { reason: 'r', until: null } }),
          ],
          [],
        ),
      ]),
      context,
    );
    expect(output.split('\n')).toEqual([
      '::error file=monorepo/api/Gemfile.lock,line=40,col=5,endColumn=18,title=oj 0.9%3A known memory leak (oj-229)::oj 0.9 has a known memory leak (oj-229): Parser, leaks: 100%25 badly. No fixed version is known; consider replacing the gem. Platforms: java, ruby. https://github.com/example/oj/issues/229',
      '::error file=monorepo/api/Gemfile.lock,line=87,col=5,endColumn=18,title=redis 3.3.0%3A known memory leak (redis-612)::redis 3.3.0 has a known memory leak (redis-612): redis keeps every request alive. Upgrade to 3.3.1 (safe: 3.3.1 and later): bundle update redis. https://github.com/example/redis/issues/612',
      '',
    ]);
  });

  it('puts run warnings at their file and line as ::warning', () => {
    const output = renderGithub(
      result([audit('Gemfile.lock', [], [])], {
        warnings: [
          { message: 'ignore redis-612 expired on 2025-01-01 (reason: a, b: c); its finding counts again', file: '.gemleak.toml', line: 7 },
          { message: '--ignore nope-1 matched no finding' },
        ],
      }),
      context,
    );
    expect(output).toBe(
      '::warning file=monorepo/.gemleak.toml,line=7,title=gemleak::ignore redis-612 expired on 2025-01-01 (reason: a, b: c); its finding counts again\n' +
        '::warning title=gemleak::--ignore nope-1 matched no finding\n',
    );
  });

  it('prints nothing when there is nothing to say', () => {
    expect(renderGithub(result([audit('Gemfile.lock', [], [])]), context)).toBe('');
  });

  it('keeps 10 per level, most important first, and ends with a ::notice saying how many were dropped', () => {
    const findings = Array.from({ length: 13 }, (_, i) => finding('redis', '3.3.0', `app${String(i).padStart(2, '0')}/Gemfile.lock`, 5));
    const warnings = Array.from({ length: 11 }, (_, i) => ({ message: `w${i}` }));
    const lines = renderGithub(result([audit('x', findings, [])], { warnings }), context)
      .trimEnd()
      .split('\n');
    expect(lines.filter((line) => line.startsWith('::error '))).toHaveLength(10);
    expect(lines.filter((line) => line.startsWith('::warning '))).toHaveLength(10);
    expect(lines[0]).toContain('file=monorepo/app00/Gemfile.lock');
    expect(lines[9]).toContain('file=monorepo/app09/Gemfile.lock');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe(
      '::notice title=gemleak%3A more results than GitHub shows::4 more annotations were not shown: GitHub keeps 10 per level and step. The full report is in the log and in the job summary.',
    );
  });
});
