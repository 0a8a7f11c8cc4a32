import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ParseOptions, parseLine, readClassAndName } from '../../src/heap/line-parser.js';
import { FILE_JSON_ESCAPES, FILE_PLAIN, FILE_UNESCAPED, HeapRecord, LINE_BAD, LINE_NO_ADDRESS, LINE_NOT_OBJECT, LINE_OBJECT } from '../../src/heap/record.js';
import { identityTag } from '../../src/heap/identity.js';
import { SKIP_NO_SHARED, hasShared, sharedRoot } from '../helpers/paths.js';
import { skippedWithoutCorpus } from '../helpers/skip.js';
import { objectLine, shopDump } from './dumps.js';

const DEFAULT: ParseOptions = { heapy: false };
const HEAPY: ParseOptions = { heapy: true };

function parse(text: string, options: ParseOptions = DEFAULT, mustValidate = false): HeapRecord {
  const record = new HeapRecord();
  const bytes = Buffer.from(`garbage before\n${text}\ngarbage after`);
  const start = bytes.indexOf('\n') + 1;
  const end = bytes.lastIndexOf('\n');
  parseLine(bytes, start, end, record, options, mustValidate);
  return record;
}

/** Everything a diff uses from a record, as plain values. */
function fields(record: HeapRecord) {
  readClassAndName(record);
  return {
    kind: record.kind,
    address: [record.addrLo, record.addrHi],
    type: record.typeText(),
    class: record.classText(),
    name: record.nameText(),
    file: record.fileText(),
    line: record.lineText(),
    generation: record.generation,
    memsize: record.memsize,
    strictTag: record.kind === LINE_OBJECT ? identityTag(record, 'strict') : null,
  };
}

const RUBY_31_STRING =
  '{"address":"0x7f38205e33a0", "type":"STRING", "class":"0x7f382058e440", "bytesize":17, "value":"session-1-ppppppp", "encoding":"UTF-8", "file":"/srv/app/global_array.rb", "line":17, "method":"handle_request", "generation":9, "memsize":58, "flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}}';

describe('parseLine: the fast path reads Ruby 3.1 lines', () => {
  it('reads address, type, class, allocation record and memsize', () => {
    const record = parse(RUBY_31_STRING);
    expect(fields(record)).toMatchObject({
      kind: LINE_OBJECT,
      address: [0x205e33a0, 0x7f38],
      type: 'STRING',
      class: '0x7f382058e440',
      file: '/srv/app/global_array.rb',
      line: '17',
      generation: 9,
      memsize: 58,
    });
    expect(record.recovered).toBe(false);
  });

  it('gives the same fields as JSON.parse would (the slow path)', () => {
    expect(fields(parse(RUBY_31_STRING))).toEqual(fields(parse(RUBY_31_STRING, DEFAULT, true)));
  });

  it('reads the name of CLASS and MODULE records', () => {
    const line =
      '{"address":"0x7f3820dc8138", "type":"CLASS", "class":"0x7f3820dc8110", "superclass":"0x7f3820dc8480", "name":"Gem::UnknownCommandError", "references":["0x7f3820dc8480"], "memsize":544}';
    expect(fields(parse(line))).toMatchObject({ type: 'CLASS', name: 'Gem::UnknownCommandError', class: '0x7f3820dc8110', file: null });
  });

  it('reads Ruby 3.3 lines (shape_id and slot_size before class)', () => {
    const line =
      '{"address":"0x7f0a1b2c3d40", "type":"STRING", "shape_id":0, "slot_size":40, "class":"0x7f0a00000028", "embedded":true, "bytesize":5, "value":"hello", "encoding":"UTF-8", "coderange":"7bit", "file":"app.rb", "line":3, "method":"call", "generation":4, "memsize":40, "flags":{"wb_protected":true}}';
    expect(fields(parse(line))).toMatchObject({ kind: LINE_OBJECT, type: 'STRING', class: '0x7f0a00000028', file: 'app.rb', line: '3', generation: 4, memsize: 40 });
    expect(fields(parse(line))).toEqual(fields(parse(line, DEFAULT, true)));
  });

  it('is not fooled by member names inside string values', () => {
    const value = '\\"address\\":\\"0x1\\", \\"file\\":\\"evil.rb\\", \\"line\\":99, \\"memsize\\":1';
    const line = objectLine({ address: '0x7f0000001000', type: 'STRING', middle: `"bytesize":80, "value":"${value}", "encoding":"UTF-8"`, file: 'real.rb', line: 4, memsize: 121 });
    expect(fields(parse(line))).toMatchObject({ address: [0x1000, 0x7f00], file: 'real.rb', line: '4', memsize: 121 });
    expect(fields(parse(line))).toEqual(fields(parse(line, DEFAULT, true)));
  });

  it('reads lines of several megabytes', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const line = objectLine({ address: '0x7f0000002000', type: 'STRING', middle: `"bytesize":${huge.length}, "value":"${huge}"`, file: 'big.rb', line: 1, memsize: huge.length + 41 });
    expect(fields(parse(line))).toMatchObject({ kind: LINE_OBJECT, file: 'big.rb', memsize: huge.length + 41 });
  });

  it('accepts CRLF line endings and surrounding blanks', () => {
    expect(fields(parse(`  ${RUBY_31_STRING}\r`))).toEqual(fields(parse(RUBY_31_STRING)));
  });

  it('treats objects without allocation info as such', () => {
    const record = parse(
      '{"address":"0x7f38205db1f0", "type":"STRING", "class":"0x7f382058e440", "frozen":true, "embedded":true, "fstring":true, "bytesize":13, "value":"win_platform?", "encoding":"US-ASCII", "memsize":40}',
    );
    expect(fields(record)).toMatchObject({ kind: LINE_OBJECT, file: null, line: null, generation: -1, memsize: 40 });
  });

  it('treats a missing or null memsize as 0', () => {
    expect(parse('{"address":"0x11", "type":"STRING", "file":"app.rb", "line":1}').memsize).toBe(0);
    expect(parse('{"address":"0x12", "type":"STRING", "file":"app.rb", "line":1, "memsize":null}').memsize).toBe(0);
  });

  it('reads ROOT records as objects without an address', () => {
    expect(parse('{"type":"ROOT", "root":"vm", "references":["0x1", "0x2"]}').kind).toBe(LINE_NO_ADDRESS);
  });
});

describe('parseLine: file names Ruby writes without escaping', () => {
  const erb = objectLine({ address: '0x7f0000003000', type: 'STRING', file: '(erb) "app\\views\\users\\show.html.erb"', line: 1, memsize: 40 });

  it('recovers them by default, file name as written', () => {
    const record = parse(erb);
    expect(record.kind).toBe(LINE_OBJECT);
    expect(record.recovered).toBe(true);
    expect(record.fileForm).toBe(FILE_UNESCAPED);
    expect(record.fileText()).toBe('(erb) "app\\views\\users\\show.html.erb"');
  });

  it('recovers them on the slow path too', () => {
    const record = parse(erb, DEFAULT, true);
    expect(record.kind).toBe(LINE_OBJECT);
    expect(record.recovered).toBe(true);
    expect(record.fileText()).toBe('(erb) "app\\views\\users\\show.html.erb"');
    expect(identityTag(record, 'strict')).toBe(identityTag(parse(erb), 'strict'));
  });

  it('recovers a raw TAB in a file name', () => {
    const record = parse(objectLine({ address: '0x7f0000003028', type: 'STRING', file: 'generated\tcode.rb', line: 3, memsize: 40 }));
    expect(record.recovered).toBe(true);
    expect(record.fileText()).toBe('generated\tcode.rb');
  });

  it('reads them as bad lines in heapy mode, as heapy cannot parse them', () => {
    expect(parse(erb, HEAPY).kind).toBe(LINE_BAD);
  });

  it('classifies valid JSON escapes: kept raw by default, decoded like JSON in heapy mode', () => {
    const line = objectLine({ address: '0x7f0000003050', type: 'STRING', file: 'C:\\\\app\\/x.rb', line: 2, memsize: 40 });
    const record = parse(line);
    expect(record.fileForm).toBe(FILE_JSON_ESCAPES);
    expect(record.recovered).toBe(false);
    expect(record.fileText()).toBe('C:\\\\app\\/x.rb');
    expect(parse(line, HEAPY).fileText()).toBe('C:\\app/x.rb');
  });

  it('leaves plain names plain', () => {
    expect(parse(RUBY_31_STRING).fileForm).toBe(FILE_PLAIN);
  });
});

describe('parseLine: lines that are not heap objects', () => {
  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['truncated object', '{"address":"0x11", "type":"STR'],
    ['NaN', 'NaN'],
    ['NaN member', '{"a":NaN}'],
    ['trailing text', '{"address":"0x12", "type":"STRING"} trailing'],
    ['log line', 'I, [2024-01-01T00:00:00] INFO -- : Completed 200 OK'],
    ['byte-order mark', '\u{feff}{"type":"ROOT", "root":"vm", "references":[]}'],
    ['raw control character in the head', '{"address":"0x13", "type":"STR\tING"}'],
  ])('%s is a bad line', (_name, text) => {
    expect(parse(text).kind).toBe(LINE_BAD);
  });

  it.each([
    ['array', '[1, 2, 3]'],
    ['null', 'null'],
    ['number', '42'],
    ['string', '"address"'],
  ])('%s is valid JSON but not an object', (_name, text) => {
    expect(parse(text).kind).toBe(LINE_NOT_OBJECT);
  });

  it('validates an unterminated last line with the JSON parser', () => {
    // Cut inside a string value right after a `}`: only a real parser sees that it is incomplete.
    const cut = '{"address":"0x14", "type":"STRING", "value":"a}';
    expect(parse(cut, DEFAULT, true).kind).toBe(LINE_BAD);
    expect(parse(RUBY_31_STRING, DEFAULT, true).kind).toBe(LINE_OBJECT);
  });
});

describe('parseLine: addresses are compared as written unless Ruby wrote them', () => {
  it('reads 64-bit addresses exactly', () => {
    expect(fields(parse('{"address":"0xffffffffffffffff", "type":"STRING"}')).address).toEqual([0xffffffff, 0xffffffff]);
  });

  it('keeps "0X1C", "0x01c" and 28 apart from "0x1c"', () => {
    const canonical = fields(parse('{"address":"0x1c", "type":"STRING"}')).address;
    const others = ['{"address":"0X1C", "type":"STRING"}', '{"address":"0x01c", "type":"STRING"}', '{"address":28, "type":"STRING"}', '{"address":"28", "type":"STRING"}'].map(
      (line) => fields(parse(line)).address,
    );
    for (const other of others) expect(other).not.toEqual(canonical);
    expect(new Set(others.map((address) => address.join(','))).size).toBe(4);
  });
});

describe('parseLine: strict identity', () => {
  it('differs when the allocation record differs, at the same address', () => {
    const a = parse(objectLine({ address: '0x100', type: 'OBJECT', file: 'a.rb', line: 1, generation: 3 }));
    const sameButGeneration = parse(objectLine({ address: '0x100', type: 'OBJECT', file: 'a.rb', line: 1, generation: 4 }));
    const sameButFile = parse(objectLine({ address: '0x100', type: 'OBJECT', file: 'b.rb', line: 1, generation: 3 }));
    const sameButType = parse(objectLine({ address: '0x100', type: 'STRING', file: 'a.rb', line: 1, generation: 3 }));
    const same = parse(objectLine({ address: '0x100', type: 'OBJECT', file: 'a.rb', line: 1, generation: 3, memsize: 999 }));
    const tag = identityTag(a, 'strict');
    expect(identityTag(sameButGeneration, 'strict')).not.toBe(tag);
    expect(identityTag(sameButFile, 'strict')).not.toBe(tag);
    expect(identityTag(sameButType, 'strict')).not.toBe(tag);
    expect(identityTag(same, 'strict')).toBe(tag);
    expect(identityTag(sameButFile, 'address')).toBe(identityTag(a, 'address'));
  });

  it('never makes a 0 tag (0 marks an empty table slot)', () => {
    expect(identityTag(parse(RUBY_31_STRING), 'strict')).toBeGreaterThan(0);
    expect(identityTag(parse(RUBY_31_STRING), 'address')).toBeGreaterThan(0);
  });
});

/** Every line of a dump read both ways must give the same fields when the fast path takes it. */
function expectFastEqualsSlow(text: string): number {
  let compared = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fast = parse(line);
    const slow = parse(line, DEFAULT, true);
    if (fast.kind !== slow.kind || JSON.stringify(fields(fast)) !== JSON.stringify(fields(slow))) {
      expect({ line: line.slice(0, 300), fast: fields(fast) }).toEqual({ line: line.slice(0, 300), fast: fields(slow) });
    }
    compared += 1;
  }
  return compared;
}

describe('parseLine: fast and slow paths agree on real dumps', () => {
  it('on the committed fixture (Ruby 3.1, with unescaped file names)', () => {
    const lines = expectFastEqualsSlow(gunzipSync(readFileSync(shopDump('B'))).toString('utf8'));
    expect(lines).toBeGreaterThan(5000);
  });
});

const sharedDumps = path.join(sharedRoot, 'heapdumps');
describe.skipIf(!hasShared)(`parseLine: fast and slow paths agree on every line of ../shared/heapdumps ${hasShared ? '' : SKIP_NO_SHARED}`, () => {
  const cases = hasShared ? readdirSync(sharedDumps).filter((name) => existsSync(path.join(sharedDumps, name, 'B.ndjson.gz')) && !name.startsWith('awk_empty')) : [];
  skippedWithoutCorpus('each B dump of ../shared/heapdumps, line by line');
  it('has dumps to read', () => {
    expect(cases.length).toBeGreaterThan(10);
  });
  it.each(cases)('%s', (name) => {
    const text = gunzipSync(readFileSync(path.join(sharedDumps, name, 'B.ndjson.gz'))).toString('utf8');
    expect(expectFastEqualsSlow(text)).toBeGreaterThan(0);
  });
});
