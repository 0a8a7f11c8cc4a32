import { describe, expect, it } from 'vitest';
import { KeyTable, anyHas } from '../../src/heap/key-table.js';

describe('KeyTable', () => {
  it('holds exactly the keys added', () => {
    const table = new KeyTable(10);
    table.add(0x20000028, 0x7f38, 1);
    table.add(0x20000050, 0x7f38, 1);
    expect(table.has(0x20000028, 0x7f38, 1)).toBe(true);
    expect(table.has(0x20000050, 0x7f38, 1)).toBe(true);
    expect(table.has(0x20000078, 0x7f38, 1)).toBe(false);
    expect(table.has(0x20000028, 0x7f39, 1)).toBe(false);
    expect(table.size).toBe(2);
  });

  it('tells keys apart by their tag (same address, other allocation record)', () => {
    const table = new KeyTable();
    table.add(0x1000, 0, 0x80000001);
    expect(table.has(0x1000, 0, 0x80000001)).toBe(true);
    expect(table.has(0x1000, 0, 0x80000002)).toBe(false);
  });

  it('adds a key once', () => {
    const table = new KeyTable();
    table.add(5, 6, 7);
    table.add(5, 6, 7);
    expect(table.size).toBe(1);
  });

  it('grows past its first guess and keeps every key (heap-like addresses: 40-byte slots, 64 KiB pages)', () => {
    const table = new KeyTable(16);
    const count = 200_000;
    for (let i = 0; i < count; i += 1) {
      const address = 0x7f3820000000 + i * 40;
      table.add(address % 0x100000000, Math.floor(address / 0x100000000), 1);
    }
    expect(table.size).toBe(count);
    expect(table.capacity).toBeGreaterThan(count);
    for (let i = 0; i < count; i += 997) {
      const address = 0x7f3820000000 + i * 40;
      expect(table.has(address % 0x100000000, Math.floor(address / 0x100000000), 1)).toBe(true);
    }
    const past = 0x7f3820000000 + count * 40;
    expect(table.has(past % 0x100000000, Math.floor(past / 0x100000000), 1)).toBe(false);
  });

  it('travels as a SharedArrayBuffer and answers the same on the other side', () => {
    const table = new KeyTable();
    table.add(1, 2, 3);
    table.hasMissingAddress = true;
    const copy = KeyTable.fromShared(structuredClone(table.toShared()));
    expect(copy.has(1, 2, 3)).toBe(true);
    expect(copy.has(1, 2, 4)).toBe(false);
    expect(copy.hasMissingAddress).toBe(true);
    expect(copy.size).toBe(1);
  });

  it('anyHas looks in every table of a split dump', () => {
    const first = new KeyTable();
    const second = new KeyTable();
    first.add(1, 0, 1);
    second.add(2, 0, 1);
    expect(anyHas([first, second], 2, 0, 1)).toBe(true);
    expect(anyHas([first, second], 3, 0, 1)).toBe(false);
  });
});
