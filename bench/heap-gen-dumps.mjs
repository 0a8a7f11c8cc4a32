#!/usr/bin/env node
// Writes three synthetic but realistic Ruby 3.1 heap dumps A, B, C of one imaginary Rails process,
// about 1 GB and 3.2 million objects in total, for bench/heap-diff.mjs. Lines follow
// objspace_dump.c's layout (same members, same order), from 150 bytes to several MB (huge strings,
// arrays with 100k references); string values contain escaped quotes and even the text
// `\"address\":\"0x…\"`; freed slots are reused by later objects, as in a real heap.
//
// Usage: node bench/heap-gen-dumps.mjs [outdir] [--scale 1.0]
// Known leak planted between A and B and alive in C: STRING x20000 at app/models/user.rb:17, held
// by an ARRAY made at app/models/user.rb:5 that a global variable names; HASH x8000 at
// app/services/cache.rb:42, held by a HASH made at app/services/cache.rb:10 under a constant
// (printed at the end, and saved in truth.json with the holders).
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 2;
const here = path.dirname(fileURLToPath(import.meta.url));

export function generateDumps(outDir, scale = 1) {
  mkdirSync(outDir, { recursive: true });
  const random = mulberry32(20240611);
  const pick = (n) => Math.floor(random() * n);
  const sites = makeSites();
  const world = new World(Math.ceil(1_450_000 * scale));

  // Phase 0 (before A): the booted app. Phase 1 (A..B): requests. Phase 2 (B..C): more requests.
  const bootObjects = Math.round(1_000_000 * scale);
  // The two holders of the leak, alive from boot: a global array and a constant's hash.
  const userHolder = world.add(KIND.ARRAY, sites.userHolder, 1, 0, 3, random);
  const cacheHolder = world.add(KIND.HASH, sites.cacheHolder, 1, 0, 3, random);
  for (let i = 0; i < bootObjects; i += 1) {
    const traced = random() < 0.55;
    // 6% of the boot heap is garbage freed right after A (its slots get reused).
    world.add(randomKind(random), traced ? pick(sites.count) : -1, traced ? 1 + pick(40) : 0, 0, random() < 0.06 ? 1 : 3, random);
  }
  const leakStrings = Math.round(20_000 * scale);
  const leakHashes = Math.round(8_000 * scale);
  for (let i = 0; i < leakStrings; i += 1) world.hold(userHolder, world.add(KIND.STRING, sites.userLeak, 41 + pick(20), 1, 3, random));
  for (let i = 0; i < leakHashes; i += 1) world.hold(cacheHolder, world.add(KIND.HASH, sites.cacheLeak, 41 + pick(20), 1, 3, random));
  world.globalHolder = userHolder;
  world.constantHolder = cacheHolder;
  // Alive at B only (freed after B: their slots are reused before C), and request garbage.
  for (let i = 0; i < Math.round(70_000 * scale); i += 1) world.add(randomKind(random), sites.requestSite(pick), 41 + pick(20), 1, 2, random);
  for (let i = 0; i < Math.round(60_000 * scale); i += 1) world.add(randomKind(random), sites.requestSite(pick), 41 + pick(20), 1, 1, random);
  // After B: new objects, most reusing the slots of those freed after B.
  for (let i = 0; i < Math.round(130_000 * scale); i += 1) world.add(randomKind(random), sites.requestSite(pick), 61 + pick(20), 2, 3, random);

  const text = new TextPool(random);
  const sizes = {};
  for (const [dump, phase] of [
    ['A', 0],
    ['B', 1],
    ['C', 2],
  ]) {
    sizes[dump] = world.write(path.join(outDir, `${dump}.ndjson`), phase, sites, text, random);
  }
  const truth = {
    generator_version: GENERATOR_VERSION,
    scale,
    leaks: [
      {
        type: 'STRING',
        file: sites.files[sites.userLeak],
        line: sites.lines[sites.userLeak],
        count: leakStrings,
        holder: { type: 'ARRAY', file: sites.files[sites.userHolder], line: sites.lines[sites.userHolder] },
      },
      {
        type: 'HASH',
        file: sites.files[sites.cacheLeak],
        line: sites.lines[sites.cacheLeak],
        count: leakHashes,
        holder: { type: 'HASH', file: sites.files[sites.cacheHolder], line: sites.lines[sites.cacheHolder] },
      },
    ],
    sizes,
  };
  writeFileSync(path.join(outDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}

const KIND = { STRING: 0, ARRAY: 1, HASH: 2, OBJECT: 3, IMEMO: 4, DATA: 5, CLASS: 6, SYMBOL: 7, BIG_STRING: 8, BIG_ARRAY: 9 };

function randomKind(random) {
  const r = random();
  if (r < 0.45) return KIND.STRING;
  if (r < 0.72) return KIND.IMEMO;
  if (r < 0.82) return KIND.ARRAY;
  if (r < 0.88) return KIND.HASH;
  if (r < 0.94) return KIND.OBJECT;
  if (r < 0.97) return KIND.DATA;
  if (r < 0.985) return KIND.SYMBOL;
  if (r < 0.99999) return KIND.CLASS;
  return random() < 0.5 ? KIND.BIG_STRING : KIND.BIG_ARRAY;
}

function makeSites() {
  const files = [];
  const lines = [];
  const methods = [];
  const add = (file, line, method) => {
    files.push(file);
    lines.push(line);
    methods.push(method);
    return files.length - 1;
  };
  const gems = ['activerecord-7.0.4', 'actionpack-7.0.4', 'activesupport-7.0.4', 'rack-2.2.4', 'puma-5.6.5', 'redis-4.8.0', 'sidekiq-6.5.7', 'nokogiri-1.13.9-x86_64-linux'];
  for (let i = 0; i < 1500; i += 1) {
    const gem = gems[i % gems.length];
    add(`/usr/local/bundle/gems/${gem}/lib/${gem.split('-')[0]}/part_${i % 97}.rb`, 10 + (i % 400), `method_${i % 53}`);
  }
  for (let i = 0; i < 500; i += 1) add(`/srv/shop/app/models/model_${i % 60}.rb`, 5 + (i % 120), i % 7 === 0 ? '[]=' : `call_${i % 31}`);
  add('/usr/lib/ruby/3.1.0/erb.rb', 905, 'result');
  add('(erb) "app\\views\\orders\\show.html.erb"', 3, 'render');
  const userLeak = add('/srv/shop/app/models/user.rb', 17, 'remember_session');
  const cacheLeak = add('/srv/shop/app/services/cache.rb', 42, 'fetch');
  const userHolder = add('/srv/shop/app/models/user.rb', 5, '<class:User>');
  const cacheHolder = add('/srv/shop/app/services/cache.rb', 10, '<class:Cache>');
  const count = files.length - 4;
  return { files, lines, methods, count, userLeak, cacheLeak, userHolder, cacheHolder, requestSite: (pick) => 1500 + pick(502) };
}

/** Every object of the process's life: its slot, kind, allocation site and lifetime. */
class World {
  constructor(capacity) {
    this.kind = new Uint8Array(capacity);
    this.site = new Int32Array(capacity);
    this.generation = new Uint16Array(capacity);
    this.born = new Uint8Array(capacity);
    this.dies = new Uint8Array(capacity);
    this.size = new Uint32Array(capacity);
    this.slot = new Uint32Array(capacity);
    this.count = 0;
    this.nextSlot = 0;
    this.free = [[], [], []];
    /** holder index → the objects it references (the planted leak). */
    this.held = new Map();
    this.globalHolder = -1;
    this.constantHolder = -1;
  }

  hold(holder, object) {
    if (!this.held.has(holder)) this.held.set(holder, []);
    this.held.get(holder).push(object);
  }

  add(kind, site, generation, born, dies, random) {
    const i = this.count;
    this.count += 1;
    this.kind[i] = kind;
    this.site[i] = site;
    this.generation[i] = generation;
    this.born[i] = born;
    this.dies[i] = dies;
    this.size[i] = Math.floor(random() * 0xffffffff);
    // Ruby fills freed slots first: objects born after a death reuse the slots freed by it.
    const reusable = born > 0 ? this.free[born - 1] : null;
    this.slot[i] = reusable && reusable.length > 0 && random() < 0.8 ? reusable.pop() : this.nextSlot++;
    if (dies < 3) this.free[dies - 1].push(this.slot[i]);
    return i;
  }

  alive(i, phase) {
    return this.born[i] <= phase && this.dies[i] > phase;
  }

  write(file, phase, sites, text, _random) {
    const owner = new Int32Array(this.nextSlot).fill(-1);
    for (let i = 0; i < this.count; i += 1) if (this.alive(i, phase)) owner[this.slot[i]] = i;
    const out = new Output(file);
    out.push(rootLines(owner, this.slot[this.globalHolder], this.slot[this.constantHolder]));
    let objects = 0;
    for (let s = 0; s < owner.length; s += 1) {
      const i = owner[s];
      if (i < 0) continue;
      objects += 1;
      out.push(this.held.has(i) ? this.holderLine(i, s, phase, sites) : this.line(i, s, owner, sites, text));
    }
    const bytes = out.close();
    return { objects, bytes };
  }

  /** A holder lists the planted objects alive in this phase (a HASH lists each as key and value). */
  holderLine(i, slot, phase, sites) {
    const site = this.site[i];
    const alive = this.held.get(i).filter((object) => this.alive(object, phase));
    const refs = alive.map((object) => `"${addressOf(this.slot[object])}"`);
    const tail = `, "file":"${sites.files[site]}", "line":${sites.lines[site]}, "method":"${sites.methods[site]}", "generation":${this.generation[i]}`;
    const flags = ', "flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}';
    if (this.kind[i] === KIND.HASH) {
      return `{"address":"${addressOf(slot)}", "type":"HASH", "class":"${HASH_CLASS}", "size":${alive.length}${refs.length > 0 ? `, "references":[${refs.join(', ')}]` : ''}${tail}, "memsize":${160 + alive.length * 32}${flags}}\n`;
    }
    return `{"address":"${addressOf(slot)}", "type":"ARRAY", "class":"${ARRAY_CLASS}", "length":${alive.length}${refs.length > 0 ? `, "references":[${refs.join(', ')}]` : ''}${tail}, "memsize":${40 + alive.length * 8}${flags}}\n`;
  }

  line(i, slot, owner, sites, text) {
    const size = this.size[i];
    const site = this.site[i];
    const address = addressOf(slot);
    const tail = `${site < 0 ? '' : `, "file":"${sites.files[site]}", "line":${sites.lines[site]}, "method":"${sites.methods[site]}", "generation":${this.generation[i]}`}`;
    const flags = size % 3 === 0 ? ', "flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}' : ', "flags":{"wb_protected":true}';
    const refs = (n) => referenceList(owner, size, n);
    switch (this.kind[i]) {
      case KIND.STRING: {
        const length = size % 100 < 70 ? 5 + (size % 36) : size % 100 < 96 ? 40 + (size % 160) : 200 + (size % 1300);
        const value = text.slice(size, length);
        return `{"address":"${address}", "type":"STRING", "class":"${STRING_CLASS}"${size % 4 === 0 ? ', "frozen":true' : ''}${length < 24 ? ', "embedded":true' : ''}, "bytesize":${length}, "value":"${value}", "encoding":"UTF-8"${tail}, "memsize":${length < 24 ? 40 : 41 + length}${flags}}\n`;
      }
      case KIND.BIG_STRING: {
        const length = 1_000_000 + (size % 4_000_000);
        return `{"address":"${address}", "type":"STRING", "class":"${STRING_CLASS}", "bytesize":${length}, "value":"${text.slice(size, length)}", "encoding":"UTF-8"${tail}, "memsize":${length + 41}${flags}}\n`;
      }
      case KIND.ARRAY: {
        const n = size % 100 < 92 ? 1 + (size % 8) : 10 + (size % 90);
        return `{"address":"${address}", "type":"ARRAY", "class":"${ARRAY_CLASS}", "length":${n}${n < 4 ? ', "embedded":true' : ''}${refs(n)}${tail}, "memsize":${40 + (n < 4 ? 0 : n * 8)}${flags}}\n`;
      }
      case KIND.BIG_ARRAY: {
        const n = 50_000 + (size % 100_000);
        return `{"address":"${address}", "type":"ARRAY", "class":"${ARRAY_CLASS}", "length":${n}${refs(n)}${tail}, "memsize":${40 + n * 8}${flags}}\n`;
      }
      case KIND.HASH: {
        const n = 1 + (size % 12);
        return `{"address":"${address}", "type":"HASH", "class":"${HASH_CLASS}", "size":${n}${refs(n * 2)}${tail}, "memsize":${160 + n * 32}${flags}}\n`;
      }
      case KIND.OBJECT: {
        const n = size % 6;
        return `{"address":"${address}", "type":"OBJECT", "class":"${APP_CLASSES[size % APP_CLASSES.length][0]}", "ivars":${n}${refs(n)}${tail}, "memsize":${40 + n * 8}${flags}}\n`;
      }
      case KIND.IMEMO:
        return `{"address":"${address}", "type":"IMEMO", "class":"${addressOf(size % 5000)}", "imemo_type":"${IMEMO_TYPES[size % IMEMO_TYPES.length]}"${refs(size % 4)}${tail}, "memsize":${40 + (size % 3) * 8}${flags}}\n`;
      case KIND.DATA:
        return `{"address":"${address}", "type":"DATA", "class":"${addressOf(size % 5000)}", "struct":"${DATA_STRUCTS[size % DATA_STRUCTS.length]}"${refs(size % 3)}${tail}, "memsize":${72 + (size % 900)}${flags}}\n`;
      case KIND.SYMBOL:
        return `{"address":"${address}", "type":"SYMBOL", "class":"${SYMBOL_CLASS}", "frozen":true, "bytesize":${8 + (size % 20)}, "value":"${text.slice(size, 8 + (size % 20))}"${tail}, "memsize":40${flags}}\n`;
      case KIND.CLASS:
        return `{"address":"${address}", "type":"CLASS", "class":"${addressOf(size % 5000)}", "superclass":"${OBJECT_CLASS}", "name":"Generated::Class${size % 100000}"${refs(3 + (size % 30))}${tail}, "memsize":${400 + (size % 2000)}${flags}}\n`;
    }
    throw new Error(`unknown kind ${this.kind[i]}`);
  }
}

const STRING_CLASS = '0x7f0000000028';
const ARRAY_CLASS = '0x7f0000000050';
const HASH_CLASS = '0x7f0000000078';
const SYMBOL_CLASS = '0x7f00000000a0';
const OBJECT_CLASS = '0x7f00000000c8';
const APP_CLASSES = [
  ['0x7f00000000f0', 'Session'],
  ['0x7f0000000118', 'User'],
  ['0x7f0000000140', 'ActiveRecord::Result'],
  ['0x7f0000000168', 'ActionDispatch::Request'],
];
const IMEMO_TYPES = ['ment', 'iseq', 'callcache', 'callinfo', 'cref', 'env', 'constcache'];
const DATA_STRUCTS = ['proc', 'binding', 'mutex', 'VM/thread', 'time', 'enumerator'];

function rootLines(owner, globalHolderSlot, constantHolderSlot) {
  const refs = [];
  for (let s = 0; s < owner.length && refs.length < 2000; s += 97) if (owner[s] >= 0) refs.push(`"${addressOf(s)}"`);
  const classes = [['0x7f0000000028', 'String'], ['0x7f0000000050', 'Array'], ['0x7f0000000078', 'Hash'], ['0x7f00000000a0', 'Symbol'], ['0x7f00000000c8', 'Object'], ...APP_CLASSES];
  const classLines = classes.map(
    ([address, name]) =>
      `{"address":"${address}", "type":"CLASS", "class":"0x7f0000001000", "superclass":"${OBJECT_CLASS}", "name":"${name}", "references":["0x7f0000001000"], "memsize":1000, "flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}}\n`,
  );
  // The constant's hash hangs off the Cache class (a CLASS record the vm root lists).
  const cacheClass = `{"address":"0x7f0000000190", "type":"CLASS", "class":"0x7f0000001000", "superclass":"${OBJECT_CLASS}", "name":"Cache", "references":["0x7f0000001000", "${addressOf(constantHolderSlot)}"], "memsize":1000, "flags":{"wb_protected":true, "old":true, "uncollectible":true, "marked":true}}\n`;
  return `{"type":"ROOT", "root":"vm", "references":["0x7f0000000190", ${refs.join(', ')}]}\n{"type":"ROOT", "root":"global_tbl", "references":["${addressOf(globalHolderSlot)}"]}\n${classLines.join('')}${cacheClass}`;
}

/** Heap slots are 40 bytes; the heap starts well above the class objects. */
function addressOf(slot) {
  return `0x${(0x7f3820000000 + slot * 40).toString(16)}`;
}

function referenceList(owner, seed, n) {
  if (n === 0) return '';
  const parts = new Array(n);
  let s = seed;
  for (let k = 0; k < n; k += 1) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    parts[k] = `"${addressOf(s % owner.length)}"`;
  }
  return `, "references":[${parts.join(', ')}]`;
}

/** Random printable text; some values get JSON escapes, including an escaped `"address":` member. */
class TextPool {
  constructor(random) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/.:';
    const chars = new Array(8 * 1024 * 1024);
    for (let i = 0; i < chars.length; i += 1) chars[i] = alphabet[Math.floor(random() * alphabet.length)];
    this.text = chars.join('');
  }

  slice(seed, length) {
    const plain =
      length >= this.text.length
        ? this.text.repeat(Math.ceil(length / this.text.length)).slice(0, length)
        : this.text.slice(seed % (this.text.length - length), (seed % (this.text.length - length)) + length);
    if (seed % 500 === 0) return `${plain}\\"address\\":\\"0x7f3820000028\\", \\"type\\":\\"STRING\\"`;
    if (seed % 40 === 0) return `${plain.slice(0, length >> 1)}\\"quoted\\" \\\\ \\n${plain.slice(length >> 1)}`;
    return plain;
  }
}

class Output {
  constructor(file) {
    this.fd = openSync(file, 'w');
    this.parts = [];
    this.pending = 0;
    this.bytes = 0;
  }

  push(text) {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending > 4 * 1024 * 1024) this.flush();
  }

  flush() {
    const chunk = Buffer.from(this.parts.join(''));
    writeSync(this.fd, chunk);
    this.bytes += chunk.length;
    this.parts = [];
    this.pending = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
    return this.bytes;
  }
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const scaleAt = args.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
  const outDir = args.find((arg, index) => !arg.startsWith('--') && index !== scaleAt + 1) ?? path.join(here, 'out', 'heap');
  const started = Date.now();
  const truth = generateDumps(outDir, scale);
  console.log(`wrote ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(truth.sizes)}`);
}
