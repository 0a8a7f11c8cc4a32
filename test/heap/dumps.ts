import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../helpers/paths.js';

/** The committed fixture: three real Ruby 3.1 dumps made by scripts/gen-heap-fixtures.rb. */
export const shopDir = path.join(repoRoot, 'test', 'fixtures', 'heap', 'shop');
export const shopDump = (name: 'A' | 'B' | 'C') => path.join(shopDir, `${name}.ndjson.gz`);

export interface FakeObject {
  address: string;
  type?: string;
  class?: string;
  /** Type-specific members written between the head and the allocation record, e.g. `"bytesize":3, "value":"abc"`. */
  middle?: string;
  file?: string;
  line?: number;
  method?: string;
  generation?: number;
  memsize?: number;
  flags?: boolean;
}

/** One object line in the layout Ruby 3.1's objspace_dump.c writes. */
export function objectLine(object: FakeObject): string {
  const parts = [`"address":"${object.address}"`];
  if (object.type !== undefined) parts.push(`"type":"${object.type}"`);
  if (object.class !== undefined) parts.push(`"class":"${object.class}"`);
  if (object.middle !== undefined) parts.push(object.middle);
  if (object.file !== undefined) {
    // Ruby does not escape the file name; neither does this.
    parts.push(`"file":"${object.file}"`, `"line":${object.line ?? 1}`);
    if (object.method !== undefined) parts.push(`"method":"${object.method}"`);
    parts.push(`"generation":${object.generation ?? 1}`);
  }
  if (object.memsize !== undefined) parts.push(`"memsize":${object.memsize}`);
  if (object.flags !== false) parts.push('"flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}');
  return `{${parts.join(', ')}}`;
}

const ROOT_LINES = ['{"type":"ROOT", "root":"vm", "references":["0x7f0000000028", "0x7f0000000050"]}', '{"type":"ROOT", "root":"global_tbl", "references":["0x7f0000000078"]}'];

export function dumpText(objects: FakeObject[], extraLines: string[] = []): string {
  return `${[...ROOT_LINES, ...objects.map(objectLine), ...extraLines].join('\n')}\n`;
}

/** Heap slots are 40 bytes apart, as in Ruby 3.1. */
export function slot(index: number): string {
  return `0x${(0x7f3820000000 + index * 40).toString(16)}`;
}

export function writeDump(dir: string, name: string, text: string | Buffer, options: { gzip?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, options.gzip ? gzipSync(text) : text);
  return file;
}

const STRING_CLASS = '0x7f0000000028';
const SESSION_CLASS = '0x7f00000000f0';
export const CLASS_LINES: FakeObject[] = [
  { address: STRING_CLASS, type: 'CLASS', class: '0x7f0000001000', middle: '"superclass":"0x7f00000000c8", "name":"String", "references":["0x7f0000001000"]', memsize: 1000 },
  { address: SESSION_CLASS, type: 'CLASS', class: '0x7f0000001028', middle: '"superclass":"0x7f00000000c8", "name":"Session", "references":["0x7f0000001028"]', memsize: 600 },
];

/**
 * A small process history: `kept` old strings alive throughout, a leak of `leaks` Sessions and
 * strings allocated between A and B, garbage alive at B only whose slots are reused by new arrays
 * before C. Returns the three dump texts.
 */
export function lifeOfAProcess(options: { kept?: number; leaks?: number; padding?: number } = {}): { A: string; B: string; C: string } {
  const kept = options.kept ?? 50;
  const leaks = options.leaks ?? 30;
  const pad = 'p'.repeat(options.padding ?? 20);
  const old: FakeObject[] = [];
  for (let i = 0; i < kept; i += 1) {
    old.push({
      address: slot(i),
      type: 'STRING',
      class: STRING_CLASS,
      middle: `"bytesize":24, "value":"old-${i}-${pad}", "encoding":"UTF-8"`,
      file: '/srv/app/boot.rb',
      line: 3,
      method: 'boot',
      generation: 2,
      memsize: 40,
    });
  }
  const leaked: FakeObject[] = [];
  for (let i = 0; i < leaks; i += 1) {
    leaked.push({ address: slot(kept + 2 * i), type: 'OBJECT', class: SESSION_CLASS, middle: '"ivars":1', file: '/srv/app/models/session.rb', line: 12, method: 'create', generation: 7, memsize: 40 });
    leaked.push({
      address: slot(kept + 2 * i + 1),
      type: 'STRING',
      class: STRING_CLASS,
      middle: `"bytesize":30, "value":"token-${i}-${pad}", "encoding":"UTF-8"`,
      file: '/srv/app/models/session.rb',
      line: 13,
      generation: 7,
      memsize: 71,
    });
  }
  const base = kept + 2 * leaks;
  const aliveAtB: FakeObject[] = [];
  const refill: FakeObject[] = [];
  for (let i = 0; i < 10; i += 1) {
    aliveAtB.push({ address: slot(base + i), type: 'ARRAY', class: '0x7f0000000050', middle: '"length":2, "embedded":true', file: '/srv/app/batch.rb', line: 5, generation: 8, memsize: 40 });
    refill.push({ address: slot(base + i), type: 'ARRAY', class: '0x7f0000000050', middle: '"length":2, "embedded":true', file: '/srv/app/refill.rb', line: 9, generation: 11, memsize: 40 });
  }
  return {
    A: dumpText([...CLASS_LINES, ...old]),
    B: dumpText([...CLASS_LINES, ...old, ...leaked, ...aliveAtB]),
    C: dumpText([...CLASS_LINES, ...old, ...leaked, ...refill]),
  };
}
