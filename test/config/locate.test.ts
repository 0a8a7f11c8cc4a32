import { describe, expect, it } from 'vitest';
import { locateKeys } from '../../src/config/locate.js';

describe('locateKeys', () => {
  it('finds keys, headers and elements of arrays of tables', () => {
    const where = locateKeys(['a = 1', '', '[[t]]', 'x = "1"', '', '[[t]]', '  x = 2 # two', '[s.u]', 'v = [', '  1,', '  { w = 3 },', ']'].join('\n'));
    expect(where.get(['a'])).toEqual({ line: 1, raw: '1' });
    expect(where.get(['t', 0])?.line).toBe(3);
    expect(where.get(['t', 0, 'x'])).toEqual({ line: 4, raw: '"1"' });
    expect(where.get(['t', 1])?.line).toBe(6);
    expect(where.get(['t', 1, 'x'])).toEqual({ line: 7, raw: '2' });
    expect(where.get(['s', 'u'])?.line).toBe(8);
    expect(where.get(['s', 'u', 'v'])?.line).toBe(9);
    expect(where.get(['s', 'u', 'v', 0])?.line).toBe(10);
    expect(where.get(['s', 'u', 'v', 1, 'w'])?.line).toBe(11);
  });

  it('skips strings that look like keys or headers', () => {
    const text = ["a = '''", '[[not]]', "b = 1'''", 'c = """\\', '   [x] = y', '"""', 'd = "# not a comment [e]"', "'quoted key' = 1", '"dotted.in.quotes".k = 2', 'e = 1979-05-27 07:32:00'].join(
      '\n',
    );
    const where = locateKeys(text);
    expect(where.get(['a'])?.line).toBe(1);
    expect(where.get(['not'])).toBeUndefined();
    expect(where.get(['c'])?.line).toBe(4);
    expect(where.get(['d'])).toEqual({ line: 7, raw: '"# not a comment [e]"' });
    expect(where.get(['quoted key'])?.line).toBe(8);
    expect(where.get(['dotted.in.quotes', 'k'])?.line).toBe(9);
    expect(where.get(['e'])).toEqual({ line: 10, raw: '1979-05-27 07:32:00' });
  });

  it('falls back to the nearest located parent', () => {
    const where = locateKeys('x = 1\n\n[[ignore]]\nid = "a-1"\n');
    expect(where.lineOf(['ignore', 0, 'reason'])).toBe(3);
    expect(where.lineOf(['nothing'])).toBe(1);
  });

  it('resolves a sub-table of an array of tables to its last element', () => {
    const where = locateKeys('[[a]]\n[[a]]\n[a.b]\nc = 1\n');
    expect(where.get(['a', 1, 'b', 'c'])?.line).toBe(4);
  });
});
