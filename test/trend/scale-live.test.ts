import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gemleakBin, runCli } from '../helpers/cli.js';
import { trendFiles } from '../../src/trend/run.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'gemleak-trend-scale-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

describe('a million samples', () => {
  // A leak in a ps column: 1,000,000 lines (about 7 MB), with a sawtooth.
  const file = path.join(scratch, 'million.txt');
  const lines: string[] = [];
  for (let i = 0; i < 1_000_000; i++) lines.push(String(200_000 + Math.floor(i / 10) + (i % 500)));
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('are read and judged in under a second (streaming, typed arrays)', async () => {
    // Warm the modules once so the timing is the work, not the first import.
    await trendFiles([{ path: file, label: 'million.txt' }], { format: null, intervalS: null, unitBytes: null }, { limitMib: null, requests: null });
    // CPU time, not wall time: on a shared machine (CI, two cores for many jobs) the wall clock
    // measures the neighbours.
    const started = process.cpuUsage();
    const result = await trendFiles([{ path: file, label: 'million.txt' }], { format: null, intervalS: null, unitBytes: null }, { limitMib: null, requests: null });
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    expect(result.series[0]!.series.mib.length).toBe(1_000_000);
    expect(result.verdict).toBe('LEAK');
    expect(result.worst.slopeMibPerSample! * 1024).toBeCloseTo(0.1, 2);
    expect(elapsed).toBeLessThan(1000);
  });

  it('draw as a chart and an SVG of bounded size', () => {
    const run = runCli(['trend', file, '--format', 'svg']);
    expect(run.status).toBe(0);
    expect(run.stdout.length).toBeLessThan(200_000);
    const text = runCli(['trend', file]);
    expect(text.stdout.split('\n').length).toBeLessThan(40);
  });
});

describe.skipIf(process.platform !== 'linux')(`gemleak trend --pid on a real process ${process.platform === 'linux' ? '' : '(skipped: /proc is Linux only)'}`, () => {
  /** A node process that keeps 2 MiB more every 100 ms: a leak to watch. */
  function leaker(): ChildProcess {
    const child = spawn(process.execPath, ['-e', 'const keep = []; setInterval(() => keep.push(Buffer.alloc(2 * 1024 * 1024, 1)), 100); setTimeout(() => process.exit(0), 60000);'], {
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  it('samples a sleeping process, saves the CSV, and judges it', () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    const save = path.join(scratch, 'sleep.csv');
    const run = runCli(['trend', '--pid', String(sleeper.pid), '--every', '100ms', '--for', '1.2s', '--save', save, '--format', 'json']);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.series[0].name).toBe(`pid ${sleeper.pid} (sleep)`);
    expect(json.series[0].samples).toBeGreaterThanOrEqual(10);
    expect(json.verdict).toBe('NO_GROWTH');
    const csv = readFileSync(save, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,rss_kb');
    expect(csv.length - 1).toBe(json.series[0].samples);
    // The saved file is itself an input.
    const again = JSON.parse(runCli(['trend', save, '--format', 'json']).stdout);
    expect(again.series[0].format).toBe('csv');
    expect(again.verdict).toBe('NO_GROWTH');
  });

  it('sees a leak grow, with PSS when asked', () => {
    const child = leaker();
    const run = runCli(['trend', '--pid', String(child.pid), '--every', '100ms', '--for', '2s', '--pss', '--format', 'json', '--fail-on', 'leak']);
    const json = JSON.parse(run.stdout);
    expect(json.series[0].name).toMatch(/PSS$/);
    expect(json.verdict).toBe('LEAK');
    expect(run.status).toBe(1);
  });

  it('stops on Ctrl-C (SIGINT) and still gives the verdict', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    const cli = spawn(process.execPath, [gemleakBin, 'trend', '--pid', String(sleeper.pid), '--every', '100ms', '--for', '10m'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk) => (stdout += chunk));
    cli.stderr.on('data', (chunk) => (stderr += chunk));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    cli.kill('SIGINT');
    const status = await new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^gemleak trend: (NO_GROWTH|TOO_SHORT)/);
    expect(stderr).toMatch(/stopped by Ctrl-C after \d+ samples/);
  });

  it('ends when the process exits, and says so', () => {
    // While runCli blocks, nobody reaps the sleep: it ends as a zombie, which has no memory to read.
    const quick = spawn('sleep', ['1'], { stdio: 'ignore' });
    children.push(quick);
    const run = runCli(['trend', '--pid', String(quick.pid), '--every', '100ms', '--for', '5s']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/the process exited after \d+ samples/);
  });
});
