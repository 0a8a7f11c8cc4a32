import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WORKERS } from '../../src/heap/pool.js';
import { cliEnv, gemleakBin } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { skipNoTool } from '../helpers/skip.js';

/**
 * `heap summary` keeps one entry per group (allocation site, type, generation, class name), never
 * per object: its peak memory must not follow the size of the dump. Measured on the real CLI as the
 * peak RSS /usr/bin/time reports, on dumps generated here: the same 40 sites at 30 MB and 120 MB
 * (memory flat), and 20,000 sites at 30 MB (memory grows by a bounded cost per site).
 */
const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);
const MiB = 2 ** 20;

let dir: string;
const dumps = { fewSmall: '', fewLarge: '', manySmall: '' };

beforeAll(() => {
  if (!hasTime) return;
  dir = tempDir('gemleak-summary-memory-');
  dumps.fewSmall = writeDump(path.join(dir, 'few-30.ndjson'), 30 * MiB, 40);
  dumps.fewLarge = writeDump(path.join(dir, 'few-120.ndjson'), 120 * MiB, 40);
  dumps.manySmall = writeDump(path.join(dir, 'many-30.ndjson'), 30 * MiB, 20_000);
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTime)(`heap summary memory ${hasTime ? '' : skipNoTool('/usr/bin/time', 'time')}`, () => {
  it('does not grow with the dump: the same 40 sites at 4x the size stay within 10% + 8 MiB', () => {
    const small = peakRss(dumps.fewSmall, 40);
    const large = peakRss(dumps.fewLarge, 40);
    expect(statSync(dumps.fewLarge).size).toBeGreaterThan(3.9 * statSync(dumps.fewSmall).size);
    expect(large).toBeLessThan(small * 1.1 + 8 * MiB);
  });

  // Each reading thread tallies the sites of its range (here: all of them), the main thread merges
  // and names them: a few hundred bytes per site per thread, and about 1 KiB per site for the report.
  const threads = Math.min(MAX_WORKERS, availableParallelism());
  const perSite = (1 + 0.5 * threads) * 1024;
  it(`costs a bounded amount per site: 20,000 sites add less than ${perSite / 1024} KiB each (${threads} threads)`, () => {
    const few = peakRss(dumps.fewSmall, 40);
    const many = peakRss(dumps.manySmall, 20_000);
    expect(many - few).toBeLessThan(20_000 * perSite);
  });
});

/** Peak RSS in bytes of `gemleak heap summary FILE`, after checking it found `sites` sites. */
function peakRss(file: string, sites: number): number {
  const run = spawnSync(TIME, ['-f', 'peak-kib %M', process.execPath, gemleakBin, 'heap', 'summary', file, '--format', 'json', '--no-progress'], {
    env: cliEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect((JSON.parse(run.stdout) as { sites: unknown[] }).sites).toHaveLength(sites);
  const peak = /peak-kib (\d+)/.exec(run.stderr);
  expect(peak, run.stderr).not.toBeNull();
  return Number(peak?.[1]) * 1024;
}

/** About `bytes` of Ruby 3.1 STRING lines spread round-robin over `sites` allocation sites of 20 classes. */
function writeDump(file: string, bytes: number, sites: number): string {
  const fd = openSync(file, 'w');
  const classAddress = (index: number) => `0x${(0x7f0000001000 + index * 40).toString(16)}`;
  let written = writeSync(fd, '{"type":"ROOT", "root":"vm", "references":["0x7f0000001000"]}\n');
  for (let index = 0; index < 20; index += 1) {
    written += writeSync(fd, `{"address":"${classAddress(index)}", "type":"CLASS", "class":"0x7f0000100000", "name":"Model${index}", "references":[], "memsize":600}\n`);
  }
  for (let object = 0; written < bytes; ) {
    const lines: string[] = [];
    for (let i = 0; i < 4096; i += 1, object += 1) {
      const site = object % sites;
      lines.push(
        `{"address":"0x${(0x7f3820000000 + object * 40).toString(16)}", "type":"STRING", "class":"${classAddress(site % 20)}", "bytesize":24, "value":"abcdefghijklmnopqrstuvwx", "encoding":"UTF-8", "file":"/srv/app/models/model_${site}.rb", "line":${(site % 500) + 1}, "method":"build", "generation":${object % 97}, "memsize":40, "flags":{"wb_protected":true}}\n`,
      );
    }
    written += writeSync(fd, lines.join(''));
  }
  closeSync(fd);
  return file;
}
