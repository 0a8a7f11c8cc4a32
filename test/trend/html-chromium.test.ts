import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * The HTML page in a real browser: headless Chromium (the Debian package) renders it, and the
 * screenshot must show a chart, the DOM must hold the series path, the fitted line and the verdict.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_NO_CHROMIUM = '(skipped: /usr/bin/chromium is absent; apt-get install chromium)';

const scratch = mkdtempSync(path.join(tmpdir(), 'gemleak-trend-html-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function chromium(args: string[]): { stdout: string; status: number | null } {
  const profile = mkdtempSync(path.join(scratch, 'profile-'));
  const run = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return { stdout: run.stdout, status: run.status };
}

/** Decodes an 8-bit RGB or RGBA PNG (all Chromium writes) into its pixels: zlib and the five row filters. */
function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Buffer } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(data[12]).toBe(0); // not interlaced
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[y * stride + i - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + i] = (line[i]! + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

describe.skipIf(!hasChromium)(`gemleak trend --format html in headless Chromium ${hasChromium ? '' : SKIP_NO_CHROMIUM}`, () => {
  // A plateau after warm-up, made here: 90 samples, 10 s apart.
  const samples = Array.from({ length: 90 }, (_, i) => `${1_795_168_800 + i * 10},${Math.round(300_000 + 120_000 * (1 - Math.exp(-i / 8)) + 900 * Math.sin(i))}`);
  const input = path.join(scratch, 'plateau.csv');
  writeFileSync(input, `timestamp,rss_kb\n${samples.join('\n')}\n`);
  const page = path.join(scratch, 'trend.html');
  const run = runCli(['trend', input, '--format', 'html', '--output', page]);

  it('writes the page', () => {
    expect(run.status).toBe(0);
    expect(existsSync(page)).toBe(true);
  });

  it('draws a chart that is not blank', () => {
    const shot = path.join(scratch, 'shot.png');
    const result = chromium([`--screenshot=${shot}`, '--window-size=1200,800', `file://${page}`]);
    expect(result.status).toBe(0);
    const { width, height, channels, pixels } = decodePng(readFileSync(shot));
    expect([width, height]).toEqual([1200, 800]);
    let ink = 0;
    let blue = 0;
    for (let p = 0; p < width * height; p++) {
      const [r, g, b] = [pixels[p * channels]!, pixels[p * channels + 1]!, pixels[p * channels + 2]!];
      if (r < 240 || g < 240 || b < 240) ink++;
      // The series stroke, #1f6feb.
      if (b > 180 && r < 100 && g > 70 && g < 150) blue++;
    }
    expect(ink / (width * height)).toBeGreaterThan(0.01);
    expect(blue).toBeGreaterThan(200);
  });

  it('has the series path, the fitted line, the warm-up marker and the verdict in the DOM', () => {
    const { stdout, status } = chromium(['--dump-dom', `file://${page}`]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/<path class="series" d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){89}"/);
    expect(stdout).toMatch(/<path class="fit" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+"/);
    expect(stdout).toMatch(/<line class="warmup"/);
    expect(stdout).toMatch(/<h1 id="verdict">gemleak trend: <span[^>]*>PLATEAU<\/span><\/h1>/);
    expect(stdout).toMatch(/This is your working set/);
  });
});
