import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { gemleakBin, runCli } from '../helpers/cli.js';

/**
 * `gemleak doctor --pid` on real processes: `sleep` (and `ruby` where installed) started with and
 * without the real jemalloc from Debian's libjemalloc2, and a process of another user read by an
 * unprivileged user.
 */
const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
const hasJemalloc = process.platform === 'linux' && existsSync(JEMALLOC);
const SKIP_NO_JEMALLOC = '(skipped: needs Linux and libjemalloc2 at /usr/lib/x86_64-linux-gnu)';
const hasRuby = spawnSync('ruby', ['-e', 'exit'], { stdio: 'ignore' }).status === 0;
const SKIP_NO_RUBY = '(skipped: ruby is not installed)';
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
const canSwitchUsers = process.platform === 'linux' && isRoot && hasSetpriv;
const SKIP_NO_USERS = '(skipped: needs Linux, root and setpriv to run a process as nobody and gemleak as another unprivileged user)';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

async function startProcess(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  // The dynamic loader maps the preload before main(); give it a moment past exec.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return child.pid!;
}

function doctorJson(pid: number) {
  const run = runCli(['doctor', '--pid', String(pid), '--format', 'json']);
  return { run, report: JSON.parse(run.stdout) };
}

describe.skipIf(!hasJemalloc)(`gemleak doctor --pid on real processes ${hasJemalloc ? '' : SKIP_NO_JEMALLOC}`, () => {
  it('sleep with LD_PRELOAD of the real libjemalloc.so.2: jemalloc mapped, nothing to do', async () => {
    const pid = await startProcess('sleep', ['30'], { LD_PRELOAD: JEMALLOC });
    const { run, report } = doctorJson(pid);
    expect(run.status).toBe(0);
    expect(report.verdict.allocator).toBe('jemalloc');
    expect(report.process.jemalloc_mapped).toBe(JEMALLOC);
    expect(report.process.env).toEqual({ LD_PRELOAD: JEMALLOC });
    expect(report.process.executable).toMatch(/\/sleep$/);
    expect(report.process.rss_kb).toBeGreaterThan(0);
    expect(report.process.pss_kb).toBeGreaterThan(0);
    expect(report.process.pss_kb).toBeLessThanOrEqual(report.process.rss_kb);
  });

  it('sleep without a preload: glibc untuned, exit 1, text answer first', async () => {
    const pid = await startProcess('sleep', ['30'], {});
    const { run, report } = doctorJson(pid);
    expect(run.status).toBe(1);
    expect(report.verdict.allocator).toBe('glibc');
    expect(report.process.jemalloc_mapped).toBeNull();
    expect(report.findings.map((f: { rule: string; severity: string }) => `${f.severity} ${f.rule}`)).toContain('high process/glibc-untuned');
    const text = runCli(['doctor', '--pid', String(pid)]);
    expect(text.stdout.split('\n')[0]).toBe(`✖ glibc malloc without MALLOC_ARENA_MAX in process ${pid}: expect fragmentation growth`);
  });

  it('sleep with MALLOC_ARENA_MAX=2: glibc capped, passes; with jemalloc too, the variable is called useless', async () => {
    const capped = await startProcess('sleep', ['30'], { MALLOC_ARENA_MAX: '2' });
    const first = doctorJson(capped);
    expect(first.run.status).toBe(0);
    expect(first.report.verdict.allocator).toBe('glibc-capped');
    expect(first.report.process.env).toEqual({ MALLOC_ARENA_MAX: '2' });
    const both = await startProcess('sleep', ['30'], { MALLOC_ARENA_MAX: '2', LD_PRELOAD: JEMALLOC, MALLOC_CONF: 'narenas:2' });
    const second = doctorJson(both);
    expect(second.report.verdict.allocator).toBe('jemalloc');
    expect(second.report.findings.map((f: { rule: string }) => f.rule)).toContain('process/arena-max-ignored');
    expect(second.run.status).toBe(1);
    expect(runCli(['doctor', '--pid', String(both), '--fail-on', 'medium']).status).toBe(0);
  });

  it('an LD_PRELOAD that names a missing file: the preload did not take effect', async () => {
    const pid = await startProcess('sleep', ['30'], { LD_PRELOAD: '/nonexistent/libjemalloc.so.2' });
    const { run, report } = doctorJson(pid);
    expect(run.status).toBe(1);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('process/preload-not-effective');
  });

  it.skipIf(!hasRuby)(`a real ruby with jemalloc: its exact Ruby version from its own executable ${hasRuby ? '' : SKIP_NO_RUBY}`, async () => {
    const pid = await startProcess('ruby', ['-e', 'sleep 30'], { LD_PRELOAD: JEMALLOC });
    const { report } = doctorJson(pid);
    const expected = spawnSync('ruby', ['-e', 'print RUBY_VERSION'], { encoding: 'utf8' }).stdout;
    expect(report.process.ruby_version).toBe(expected);
    expect(report.process.ruby_description).toMatch(/^ruby \d/);
    expect(report.verdict.allocator).toBe('jemalloc');
  });
});

describe('gemleak doctor --pid: bad input', () => {
  it('no such process: one line, exit 2', () => {
    const run = runCli(['doctor', '--pid', '999999999']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('gemleak: no process with PID 999999999 (nothing at /proc/999999999)\n');
  });

  it.each(['abc', '0', '-3', '1.5'])('--pid %s is a usage error', (value) => {
    const run = runCli(['doctor', `--pid=${value}`]);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/--pid takes a process id/);
  });
});

describe.skipIf(!canSwitchUsers)(`gemleak doctor --pid on another user's process ${canSwitchUsers ? '' : SKIP_NO_USERS}`, () => {
  it('permission denied: says so, prints the one-liners, exits 2', async () => {
    const pid = await startProcess('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '30'], {});
    // Run gemleak as uid 1 (daemon): unprivileged, and not the owner.
    const run = spawnSync('setpriv', ['--reuid=1', '--regid=1', '--clear-groups', process.execPath, gemleakBin, 'doctor', '--pid', String(pid)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: '/tmp' },
    });
    expect(run.status).toBe(2);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`? cannot read /proc/${pid}/maps and environ (permission denied): the allocator of process ${pid} is unknown; run the commands below as its owner or inside the app`);
    expect(run.stdout).toContain(`sudo -u nobody sh -c 'grep -m1 jemalloc /proc/${pid}/maps`);
    expect(run.stdout).toContain('ruby -e \'m = File.read("/proc/self/maps")');
    expect(run.stderr).toBe('');
    // The printed command really answers the question when run as the owner.
    const command = lines.find((line) => line.trim().startsWith('sudo -u nobody'))!.trim();
    const answer = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(answer.stdout).toContain('jemalloc: not mapped');
    expect(answer.stdout).toMatch(/^Pss:\s+\d+ kB$/m);
  });
});
