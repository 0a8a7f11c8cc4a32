import { describe, expect, it } from 'vitest';
import { ClassNameTable, type SharedClassNames, resolveClassNames } from '../../src/heap/class-name-table.js';
import type { SiteTally } from '../../src/heap/groups.js';
import { parseLine } from '../../src/heap/line-parser.js';
import { HeapRecord } from '../../src/heap/record.js';
import { SiteTable } from '../../src/heap/site-table.js';
import { type FakeObject, objectLine, slot } from './dumps.js';

/** Adds each object to `table` as the scanner does, its index as its offset in the dump. */
function addAll(table: SiteTable, objects: FakeObject[], firstOffset = 0): void {
  const record = new HeapRecord();
  objects.forEach((object, index) => {
    const bytes = Buffer.from(objectLine(object));
    parseLine(bytes, 0, bytes.length, record, { heapy: false });
    table.add(record, firstOffset + index);
  });
}

function sites(table: SiteTable): SiteTally[] {
  return [...table.tallies()];
}

const string = (index: number, site: Partial<FakeObject>): FakeObject => ({ address: slot(index), type: 'STRING', class: '0x7f0000000028', memsize: 40, ...site });

describe('SiteTable', () => {
  it('tallies objects by type, class, file and line, in first-seen order', () => {
    const table = new SiteTable();
    addAll(table, [
      string(0, { file: 'a.rb', line: 1 }),
      string(1, { file: 'a.rb', line: 2 }),
      string(2, { file: 'a.rb', line: 1, memsize: 100 }),
      string(3, { file: 'a.rb', line: 1, class: '0x7f0000000050' }),
      string(4, { type: 'ARRAY', file: 'a.rb', line: 1 }),
      string(5, {}),
    ]);
    expect(sites(table)).toEqual([
      { type: 'STRING', classAddress: '0x7f0000000028', file: 'a.rb', line: '1', count: 2, memsize: 140, firstOffset: 0, samples: [] },
      { type: 'STRING', classAddress: '0x7f0000000028', file: 'a.rb', line: '2', count: 1, memsize: 40, firstOffset: 1, samples: [] },
      { type: 'STRING', classAddress: '0x7f0000000050', file: 'a.rb', line: '1', count: 1, memsize: 40, firstOffset: 3, samples: [] },
      { type: 'ARRAY', classAddress: '0x7f0000000028', file: 'a.rb', line: '1', count: 1, memsize: 40, firstOffset: 4, samples: [] },
      { type: 'STRING', classAddress: '0x7f0000000028', file: null, line: null, count: 1, memsize: 40, firstOffset: 5, samples: [] },
    ]);
  });

  it('tells an absent field from an empty one, and ignores the class of CLASS and IMEMO records', () => {
    const table = new SiteTable();
    addAll(table, [
      string(0, { file: '', line: 1 }),
      string(1, {}),
      { address: slot(2), type: 'IMEMO', class: '0x7f0000000028', file: 'a.rb', line: 1 },
      { address: slot(3), type: 'IMEMO', class: '0x7f0000000050', file: 'a.rb', line: 1 },
    ]);
    expect(sites(table).map((site) => [site.type, site.classAddress, site.file, site.count])).toEqual([
      ['STRING', '0x7f0000000028', '', 1],
      ['STRING', '0x7f0000000028', null, 1],
      ['IMEMO', null, 'a.rb', 2],
    ]);
  });

  it('grows past its first size and merges a later range into one table, keeping the earliest offset', () => {
    const many = (count: number, from: number) => Array.from({ length: count }, (_, i) => string(from + i, { file: `/srv/app/models/a_rather_long_path_name_${i % 3000}.rb`, line: i % 7 }));
    const objects = [...many(6000, 0), ...many(9000, 6000)];
    const first = new SiteTable();
    addAll(first, objects.slice(0, 6000));
    const second = new SiteTable();
    addAll(second, objects.slice(6000), 6000);
    const merged = new SiteTable(first.toShared());
    merged.merge(second.toShared());
    const all = sites(merged);
    // 9000 distinct (file, line): the first 6000 in both ranges, the other 3000 in the second only.
    const expected = new Map<string, { count: number; firstOffset: number }>();
    objects.forEach((object, index) => {
      const key = `${object.file}:${object.line}`;
      const entry = expected.get(key);
      if (entry === undefined) expected.set(key, { count: 1, firstOffset: index });
      else entry.count += 1;
    });
    expect(expected.size).toBe(9000);
    expect(all).toHaveLength(expected.size);
    for (const site of all) expect({ count: site.count, firstOffset: site.firstOffset }).toEqual(expected.get(`${site.file}:${site.line}`));
    expect(all.reduce((sum, site) => sum + site.count, 0)).toBe(15000);
  });

  it('lists the class addresses its sites use', () => {
    const table = new SiteTable();
    addAll(table, [string(0, { file: 'a.rb' }), string(1, { file: 'b.rb', class: '0x7f0000000050' }), { address: slot(2), type: 'IMEMO', class: '0x7f0000000078' }]);
    expect([...table.classAddresses()].sort()).toEqual(['0x7f0000000028', '0x7f0000000050']);
  });
});

describe('ClassNameTable', () => {
  const classLine = (address: string, name: string): FakeObject => ({ address, type: 'CLASS', class: '0x7f0000001000', middle: `"name":"${name}", "references":[]`, memsize: 600 });

  it('names only the wanted addresses, a later record of the same address winning', () => {
    const tables = [
      classTable([classLine('0x7f0000000028', 'String'), classLine('0x7f0000000050', 'Session'), classLine('0x7f0000000078', 'Unused')]),
      classTable([classLine('0x7f0000000050', 'Session2')]),
    ];
    const names = resolveClassNames(tables, new Set(['0x7f0000000028', '0x7f0000000050', '0x7f00000000a0']));
    expect([...names]).toEqual([
      ['0x7f0000000028', 'String'],
      ['0x7f0000000050', 'Session2'],
    ]);
  });
});

function classTable(objects: FakeObject[]): SharedClassNames {
  const table = new ClassNameTable();
  const record = new HeapRecord();
  for (const object of objects) {
    const bytes = Buffer.from(objectLine(object));
    parseLine(bytes, 0, bytes.length, record, { heapy: false });
    table.add(record);
  }
  return table.toShared();
}
