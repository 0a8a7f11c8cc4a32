import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { INSIDE_APP_ONE_LINER, procOneLiner } from './fixes.js';
import { gcTuningFindings } from './gc-tuning.js';
import type { AllocatorVerdict, DoctorFinding, ProcessSnapshot } from './types.js';

/**
 * `gemleak doctor --pid PID`: what a running process really got, read from /proc (Linux). Only
 * reading; the one program run is the process's own Ruby with `--version`, with an empty
 * environment, to name its exact version.
 */

const ALLOCATOR_VARIABLES = /^(LD_PRELOAD|MALLOC_ARENA_MAX|MALLOC_CONF|RUBY_YJIT_ENABLE|RUBYOPT|RUBY_GC_[A-Z_]+)$/;

export interface InspectOptions {
  /** Where proc is mounted (tests keep the real one). */
  procRoot?: string;
  /** Run the process's Ruby with `--version` to name its exact version (default true). */
  askRubyVersion?: boolean;
}

export function inspectProcess(pid: number, options: InspectOptions = {}): ProcessSnapshot {
  const proc = options.procRoot ?? '/proc';
  if (process.platform !== 'linux') throw new GemleakError('DOCTOR_NOT_LINUX', `--pid reads /proc, which only Linux has; on ${process.platform} run inside the app instead: ${INSIDE_APP_ONE_LINER}`);
  const dir = path.join(proc, String(pid));
  try {
    statSync(dir);
  } catch {
    throw new GemleakError('DOCTOR_NO_PROCESS', `no process with PID ${pid} (nothing at ${dir})`);
  }
  const denied: string[] = [];
  const read = (name: string): string | null => {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') denied.push(name);
      if (code === 'ENOENT' || code === 'ESRCH') throw new GemleakError('DOCTOR_NO_PROCESS', `process ${pid} exited while it was being read`);
      return null;
    }
  };
  const status = read('status') ?? '';
  const maps = read('maps');
  const environ = read('environ');
  const rollup = read('smaps_rollup');
  const cmdline = read('cmdline');
  let executable: string | null = null;
  try {
    executable = readlinkSync(path.join(dir, 'exe'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') denied.push('exe');
  }
  const env: Record<string, string> = {};
  for (const entry of (environ ?? '').split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0 && ALLOCATOR_VARIABLES.test(entry.slice(0, at))) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const mapped = (maps ?? '')
    .split('\n')
    .map((line) => line.split(/\s+/).slice(5).join(' '))
    .filter((file) => file.startsWith('/'));
  const jemallocMapped = mapped.find((file) => /jemalloc/.test(path.basename(file))) ?? null;
  const libruby = mapped.find((file) => /libruby/.test(path.basename(file))) ?? null;
  const rubyDescription = options.askRubyVersion === false ? null : askRuby(executable, libruby);
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? null;
  const readable = maps !== null && environ !== null;
  return {
    pid,
    readable,
    denied,
    executable,
    commandLine:
      cmdline === null
        ? null
        : cmdline
            .split('\0')
            .filter((part) => part !== '')
            .join(' '),
    jemallocMapped,
    muslMapped: mapped.some((file) => /ld-musl|libc\.musl/.test(path.basename(file))),
    env,
    rssKb: kilobytes(rollup, 'Rss') ?? kilobytes(status, 'VmRSS'),
    pssKb: kilobytes(rollup, 'Pss'),
    rubyDescription,
    rubyVersion: rubyDescription === null ? rubyVersionOfLibrary(libruby) : (/^(?:ruby|jruby|truffleruby) (\d+\.\d+\.\d+)/.exec(rubyDescription)?.[1] ?? null),
    fallbackCommands: readable ? [] : [procOneLiner(pid, ownerName(uid)), INSIDE_APP_ONE_LINER],
  };
}

function kilobytes(text: string | null, key: string): number | null {
  const match = text === null ? null : new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

/** `libruby.so.3.3` or `libruby-3.1.so.3.1`: at least the minor version. */
function rubyVersionOfLibrary(file: string | null): string | null {
  const match = file === null ? null : /libruby[-.]?(?:so\.)?(\d+\.\d+(?:\.\d+)?)/.exec(path.basename(file));
  return match?.[1] ?? null;
}

/** RUBY_DESCRIPTION of the process's own interpreter, when its executable is a Ruby. */
function askRuby(executable: string | null, libruby: string | null): string | null {
  if (executable === null || executable.endsWith(' (deleted)')) return null;
  if (!/^(ruby|jruby|truffleruby)[\d.]*$/.test(path.basename(executable)) && libruby === null) return null;
  try {
    const output = execFileSync(executable, ['--version'], { env: {}, timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = output.split('\n')[0]?.trim() ?? '';
    return /^(ruby|jruby|truffleruby) \d/.test(line) ? line : null;
  } catch {
    return null;
  }
}

/** The owner's login name from /etc/passwd, when it is a plain name (it is pasted into a command). */
function ownerName(uid: string | null): string | null {
  if (uid === null) return null;
  try {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.split(':')[2] === uid);
    const name = entry?.split(':')[0];
    return name !== undefined && /^[a-z_][a-z0-9_-]*$/i.test(name) ? name : `#${uid}`;
  } catch {
    return `#${uid}`;
  }
}

function mib(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MiB`;
}

/** The judgement of a live process: the allocator it really runs, and what follows. Pure. */
export function judgeProcess(snapshot: ProcessSnapshot): { allocator: AllocatorVerdict; headline: string; findings: DoctorFinding[] } {
  const findings: DoctorFinding[] = [];
  const base = { category: 'process' as const, file: null, line: null, fix: null, fixWhere: null, url: null };
  const memory = snapshot.rssKb === null ? null : `RSS ${mib(snapshot.rssKb)}${snapshot.pssKb === null ? '' : `, PSS ${mib(snapshot.pssKb)}`}`;
  if (memory !== null)
    findings.push({ ...base, rule: 'process/memory', severity: 'info', message: `process ${snapshot.pid}: ${memory} (PSS shares pages among forked workers: add up PSS, not RSS, across workers)` });
  if (snapshot.executable !== null) {
    const ruby = snapshot.rubyDescription ?? (snapshot.rubyVersion === null ? 'not a Ruby' : `Ruby ${snapshot.rubyVersion} (from the libruby it maps)`);
    findings.push({ ...base, rule: 'process/executable', severity: 'info', message: `executable ${snapshot.executable}: ${ruby}` });
  }
  if (!snapshot.readable) {
    const headline = `cannot read /proc/${snapshot.pid}/${snapshot.denied.filter((name) => name === 'maps' || name === 'environ').join(' and ')} (permission denied): the allocator of process ${snapshot.pid} is unknown; run the commands below as its owner or inside the app`;
    findings.push({
      ...base,
      rule: 'process/unreadable',
      severity: 'info',
      message: headline,
      fix: snapshot.fallbackCommands.join('\n'),
      fixWhere: 'as the process owner (first line), or inside the app (second line)',
    });
    return { allocator: 'unknown', headline, findings };
  }
  const preload = snapshot.env.LD_PRELOAD;
  const arena = snapshot.env.MALLOC_ARENA_MAX;
  let allocator: AllocatorVerdict;
  let headline: string;
  if (snapshot.jemallocMapped !== null) {
    allocator = snapshot.muslMapped ? 'jemalloc-musl' : 'jemalloc';
    headline = `jemalloc is mapped in process ${snapshot.pid} (${snapshot.jemallocMapped}): glibc malloc fragmentation is ruled out`;
    findings.push({ ...base, rule: 'process/jemalloc', severity: 'info', message: headline });
    if (arena !== undefined)
      findings.push({
        ...base,
        rule: 'process/arena-max-ignored',
        severity: 'low',
        message: `MALLOC_ARENA_MAX=${arena} has no effect: the process runs jemalloc`,
        fix: 'unset MALLOC_ARENA_MAX where the process is started',
      });
  } else {
    if (preload !== undefined && /jemalloc/.test(preload)) {
      findings.push({
        ...base,
        rule: 'process/preload-not-effective',
        severity: 'high',
        message: `LD_PRELOAD=${preload} is set but jemalloc is not mapped: the preload did not take effect (wrong path, or the library is not installed)`,
        fix: 'ls -l /usr/lib/*/libjemalloc.so.2   # then point LD_PRELOAD at the file that exists',
      });
    }
    if (snapshot.muslMapped) {
      allocator = 'musl';
      headline = `process ${snapshot.pid} uses musl's malloc (Alpine): MALLOC_ARENA_MAX does not apply`;
    } else if (arena !== undefined) {
      allocator = 'glibc-capped';
      headline = `glibc malloc with MALLOC_ARENA_MAX=${arena} in process ${snapshot.pid}: fragmentation is capped; jemalloc usually does better`;
      findings.push({ ...base, rule: 'process/arena-max', severity: 'info', message: headline });
    } else {
      allocator = 'glibc';
      headline = `glibc malloc without MALLOC_ARENA_MAX in process ${snapshot.pid}: expect fragmentation growth`;
      findings.push({
        ...base,
        rule: 'process/glibc-untuned',
        severity: 'high',
        message: `no jemalloc is mapped in process ${snapshot.pid} and its environment has no MALLOC_ARENA_MAX: glibc malloc fragments, which looks like a leak`,
        fix: 'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2   # or MALLOC_ARENA_MAX=2, in the environment that starts the app',
        fixWhere: 'the environment of the process (Dockerfile ENV, systemd Environment=, Procfile)',
      });
    }
  }
  if (snapshot.rubyVersion === '3.3.0' && (/^(1|true)$/i.test(snapshot.env.RUBY_YJIT_ENABLE ?? '') || /--yjit\b/.test(`${snapshot.env.RUBYOPT ?? ''} ${snapshot.commandLine ?? ''}`))) {
    findings.push({
      ...base,
      rule: 'process/yjit-ruby-3.3.0',
      severity: 'high',
      message: 'YJIT is enabled on Ruby 3.3.0: it retains objects that have a singleton class (Bug #20209)',
      fix: 'upgrade Ruby to the latest 3.3.x',
      url: 'https://bugs.ruby-lang.org/issues/20209',
    });
  }
  const gcSettings = Object.entries(snapshot.env).map(([name, value]) => ({ name, value, file: `/proc/${snapshot.pid}/environ`, line: 0, context: 'process', runs: true }));
  findings.push(...gcTuningFindings(gcSettings).map((finding) => ({ ...finding, category: 'process' as const, file: null, line: null, fixWhere: 'the environment of the process' })));
  return { allocator, headline, findings };
}
