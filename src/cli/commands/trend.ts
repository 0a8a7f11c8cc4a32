import path from 'node:path';
import { type Command, Option } from 'commander';
import { GemleakError, UsageError } from '../../errors.js';
import type { TrendResult, TrendWarning, Verdict } from '../../trend/types.js';
import { parseDuration, parseSize } from '../../trend/units.js';
import { type CliIo, useColor, warn, writeReport } from '../io.js';
import { type CommandContext, EXIT_CLEAN, EXIT_FINDINGS, InvalidOptionValue, parseCount } from '../context.js';

/**
 * Declares `gemleak trend`. Only option declarations live at the top: the reader, the analysis and
 * the reporters load when the command runs.
 */

const INPUT_FORMATS = ['derailed', 'ps-column', 'csv', 'gcstat-jsonl', 'heroku-log', 'prometheus-json'] as const;
const OUTPUT_FORMATS = ['text', 'json', 'html', 'svg'] as const;
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
/** What `--fail-on` can name, and the verdicts (of a series or of one life) each one fails on. */
const FAIL_ON: Record<string, Verdict[]> = {
  leak: ['LEAK', 'BELOW_GC_GROWTH'],
  restarts: ['RESTARTS'],
  plateau: ['PLATEAU'],
  any: ['LEAK', 'BELOW_GC_GROWTH', 'RESTARTS', 'PLATEAU'],
};

interface TrendFlags {
  input?: (typeof INPUT_FORMATS)[number];
  interval?: number;
  unit?: string;
  requests?: number;
  limit?: number;
  failOn: string[];
  format: (typeof OUTPUT_FORMATS)[number];
  output?: string;
  ascii?: boolean;
  chart: boolean;
  pid?: number;
  every: number;
  for: number;
  save?: string;
  pss?: boolean;
}

export function registerTrend(program: Command, context: CommandContext): void {
  program
    .command('trend')
    .description('is it a leak at all? judge memory over time: LEAK, PLATEAU, BELOW_GC_GROWTH, RESTARTS, NO_GROWTH, with a chart')
    .argument('[files...]', 'memory samples: derailed perf:mem_over_time output, a ps column, timestamp,rss CSV, GC.stat JSON lines, Heroku log-runtime-metrics, Prometheus range JSON')
    .addOption(new Option('--input <format>', 'read the files as this format instead of detecting it').choices([...INPUT_FORMATS]))
    .option('--interval <duration>', 'time between samples where the input has no times, e.g. 5s, 1m (derailed: 5s)', parseDurationOption('--interval'))
    .addOption(new Option('--unit <unit>', 'unit of bare values where the input does not name one (default KiB, as ps writes RSS)').choices(Object.keys(UNITS)))
    .option('--requests <n>', 'requests served over the whole series, for MiB per 1,000 requests (a requests column or key is used when present)', parseCount('--requests'))
    .option('--limit <size>', 'a memory limit such as 512MiB or 2GB (a bare number is MiB): report when the fitted line reaches it', parseLimit)
    .addOption(
      new Option('--fail-on <verdicts>', `exit 1 when a series (or a life between restarts) is one of: ${Object.keys(FAIL_ON).join(', ')} (comma-separated; leak = LEAK or BELOW_GC_GROWTH)`)
        .argParser(parseFailOn)
        .default([], 'none'),
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--ascii', 'draw the terminal chart with ASCII characters only')
    .option('--no-chart', 'text report without the chart')
    .option('--pid <pid>', 'sample a running process (Linux /proc) instead of reading files', parseCount('--pid'))
    .addOption(new Option('--every <duration>', 'with --pid: time between samples').argParser(parseDurationOption('--every')).default(5, '5s'))
    .addOption(new Option('--for <duration>', 'with --pid: how long to sample (Ctrl-C stops early and still judges)').argParser(parseDurationOption('--for')).default(600, '10m'))
    .option('--save <file>', 'with --pid: also write the samples as timestamp,rss_kb CSV (readable by gemleak trend)')
    .option('--pss', 'with --pid: sample PSS (smaps_rollup: shared pages split between forked workers) instead of RSS')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak trend tmp/mem_over_time.txt                 # derailed's perf:mem_over_time output
  $ gemleak trend gc-stat.jsonl --limit 512MiB          # GC.stat lines: tells Ruby objects from malloc growth
  $ gemleak trend heroku.log --fail-on leak             # one series per dyno; exit 1 on a leak
  $ gemleak trend rss.txt --interval 10s --requests 100000
  $ gemleak trend prometheus.json --format html --output trend.html
  $ gemleak trend --pid 4242 --every 5s --for 10m --save series.csv

Verdicts (worst first): LEAK, BELOW_GC_GROWTH, RESTARTS, PLATEAU, NO_GROWTH, TOO_SHORT.
Exit codes: 0 judged (whatever the verdict), 1 a verdict named by --fail-on, 2 bad input or a bad flag.`,
    )
    .action(async (files: string[], flags: TrendFlags) => {
      await runTrend(context, files, flags);
    });
}

async function runTrend(context: CommandContext, files: string[], flags: TrendFlags): Promise<void> {
  const { io } = context;
  const options = { limitMib: flags.limit ?? null, requests: flags.requests ?? null };
  let result: TrendResult;
  if (flags.pid !== undefined) {
    if (files.length > 0) throw new UsageError('give either files or --pid, not both');
    result = await sampleLive(context, flags, options);
  } else {
    if (files.length === 0) throw new UsageError('give a file of memory samples (or --pid PID to sample a running process); see gemleak trend --help');
    for (const flag of ['save', 'pss'] as const) if (flags[flag] !== undefined) throw new UsageError(`--${flag} works only with --pid`);
    const { trendFiles } = await import('../../trend/run.js');
    const inputs = files.map((name) => {
      if (name === '') throw new UsageError('a file path is empty');
      return { path: path.resolve(io.cwd, name), label: name };
    });
    const unitBytes = flags.unit === undefined ? null : UNITS[flags.unit]!;
    result = await trendFiles(inputs, { format: flags.input ?? null, intervalS: flags.interval ?? null, unitBytes }, options);
  }
  printWarnings(io, result.warnings);
  await writeReport(context.io, await renderResult(io, result, flags), flags.output);
  context.exitCode = failed(result, flags.failOn) ? EXIT_FINDINGS : EXIT_CLEAN;
}

async function renderResult(io: CliIo, result: TrendResult, flags: TrendFlags): Promise<string> {
  switch (flags.format) {
    case 'json': {
      const { renderTrendJson } = await import('../../report/trend-json.js');
      const { GEMLEAK_VERSION } = await import('../../version.js');
      return renderTrendJson(result, GEMLEAK_VERSION);
    }
    case 'html': {
      const { renderTrendHtml } = await import('../../report/trend-html.js');
      const { GEMLEAK_VERSION } = await import('../../version.js');
      return renderTrendHtml(result, GEMLEAK_VERSION);
    }
    case 'svg': {
      const { renderTrendSvg } = await import('../../report/trend-svg.js');
      return renderTrendSvg(result);
    }
    case 'text': {
      const { renderTrendText } = await import('../../report/trend-text.js');
      const toTerminal = flags.output === undefined;
      return renderTrendText(result, { color: toTerminal && useColor(io, 'stdout'), unicode: flags.ascii !== true && supportsUnicode(io), width: chartWidth(io), chart: flags.chart });
    }
  }
}

/**
 * `--pid`: samples the process every `--every` for `--for` (or until Ctrl-C, or until it exits),
 * redrawing the chart and a progress line on a terminal, then judges what it saw.
 */
async function sampleLive(context: CommandContext, flags: TrendFlags, options: TrendResult['options']): Promise<TrendResult> {
  const { io } = context;
  const pid = flags.pid!;
  const live = await import('../../trend/live.js');
  const { trendSeries } = await import('../../trend/run.js');
  const first = await live.readProcessMemory(pid, flags.pss === true);
  if ('gone' in first) throw new GemleakError('TREND_NO_PROCESS', `no running process ${pid} to sample (Linux /proc/${pid} is missing)`);
  const command = await live.processName(pid);
  const name = `pid ${pid}${command === null ? '' : ` (${command})`}${flags.pss ? ' PSS' : ''}`.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const recording = new live.LiveRecording(name);
  const save = flags.save === undefined ? null : await openSave(io, flags.save);
  const display = io.stderrIsTTY ? liveDisplay(io, flags) : null;
  const warnings: TrendWarning[] = [];
  let stopped = false;
  let wake: () => void = () => {};
  const onInterrupt = () => {
    stopped = true;
    wake();
  };
  process.on('SIGINT', onInterrupt);
  const started = Date.now();
  // The small epsilon keeps 1.2 s / 0.2 s at 6 intervals despite floating point.
  const total = Math.max(1, Math.floor(flags.for / flags.every + 1e-9) + 1);
  try {
    let memory: Awaited<ReturnType<typeof live.readProcessMemory>> = first;
    for (let k = 0; k < total && !stopped; k++) {
      if (k > 0) {
        const due = started + k * flags.every * 1000;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(0, due - Date.now()));
        });
        if (stopped) break;
        memory = await live.readProcessMemory(pid, flags.pss === true);
      }
      if ('gone' in memory) {
        warnings.push({ file: name, line: null, message: `the process exited after ${recording.length} samples` });
        break;
      }
      const now = Date.now() / 1000;
      recording.add(now, memory.kib);
      save?.write(`${now.toFixed(3)},${memory.kib}\n`);
      await display?.draw(recording.length >= 2 ? trendSeries([recording.series()], options) : null, recording.length, total, memory.kib, (Date.now() - started) / 1000);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    display?.clear();
    save?.close();
  }
  if (stopped) warnings.push({ file: name, line: null, message: `stopped by Ctrl-C after ${recording.length} samples` });
  return trendSeries([recording.series()], options, warnings);
}

interface SaveFile {
  write(text: string): void;
  close(): void;
}

async function openSave(io: CliIo, file: string): Promise<SaveFile> {
  const { openSync, writeSync, closeSync } = await import('node:fs');
  let fd: number;
  try {
    fd = openSync(path.resolve(io.cwd, file), 'w');
  } catch (error) {
    throw new GemleakError('OUTPUT_UNWRITABLE', `cannot write the samples (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file });
  }
  writeSync(fd, 'timestamp,rss_kb\n');
  return { write: (text) => writeSync(fd, text), close: () => closeSync(fd) };
}

/** The live chart and progress line on stderr, redrawn in place. */
function liveDisplay(io: CliIo, flags: TrendFlags) {
  let drawnLines = 0;
  const erase = () => {
    if (drawnLines > 0) io.stderr.write(`\u001b[${drawnLines}F\u001b[J`);
    drawnLines = 0;
  };
  return {
    async draw(result: TrendResult | null, samples: number, total: number, kib: number, elapsed: number) {
      const { renderTrendChart } = await import('../../report/trend-chart.js');
      const { formatDuration } = await import('../../trend/units.js');
      const lines: string[] = [];
      if (result !== null && flags.chart) {
        lines.push(...renderTrendChart(result.worst, { width: chartWidth(io), height: 10, unicode: flags.ascii !== true && supportsUnicode(io), color: useColor(io, 'stderr') }));
        lines.push(`so far: ${result.verdict}: ${result.worst.reason}`);
      }
      const percent = Math.min(100, Math.floor((samples / total) * 100));
      lines.push(
        `gemleak: pid ${flags.pid} ${flags.pss ? 'PSS' : 'RSS'} ${(kib / 1024).toFixed(1)} MiB · sample ${samples}/${total} · ${formatDuration(elapsed)} of ${formatDuration(flags.for)} (${percent}%) · Ctrl-C stops and judges`,
      );
      erase();
      io.stderr.write(`${lines.join('\n')}\n`);
      drawnLines = lines.length;
    },
    clear: erase,
  };
}

function failed(result: TrendResult, failOn: string[]): boolean {
  const verdicts = new Set(failOn.flatMap((name) => FAIL_ON[name] ?? []));
  if (verdicts.size === 0) return false;
  return result.series.some((one) => verdicts.has(one.verdict) || one.lives.some((life) => verdicts.has(life.verdict)));
}

/**
 * Unicode box drawing where the locale says UTF-8 (or, with no locale set, on a terminal other
 * than the Linux console, which lacks the glyphs); ASCII otherwise.
 */
function supportsUnicode(io: CliIo): boolean {
  const locale = io.env.LC_ALL || io.env.LC_CTYPE || io.env.LANG;
  if (locale) return /utf-?8/i.test(locale);
  const term = io.env.TERM;
  return term !== undefined && term !== '' && term !== 'linux' && term !== 'dumb';
}

/** The plot's width: the terminal's (COLUMNS) less the labels, 40 to 100 columns. */
function chartWidth(io: CliIo): number {
  const columns = Number(io.env.COLUMNS);
  const total = Number.isFinite(columns) && columns > 0 ? columns : 80;
  return Math.max(40, Math.min(100, total - 16));
}

function parseDurationOption(option: string) {
  return (value: string): number => {
    const seconds = parseDuration(value);
    if (seconds === null || !(seconds > 0)) throw new InvalidOptionValue(`${option} takes a duration such as 5s, 500ms, 10m or 1h, got '${value}'`);
    return seconds;
  };
}

/** `512MiB`, `2GB`; a bare number is MiB. */
function parseLimit(value: string): number {
  const bytes = parseSize(value, 1024 ** 2);
  if (bytes === null || !(bytes > 0)) throw new InvalidOptionValue(`--limit takes a size such as 512MiB or 2GB, got '${value}'`);
  return bytes / 1024 ** 2;
}

function parseFailOn(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const name of names) {
    if (FAIL_ON[name] === undefined) throw new InvalidOptionValue(`--fail-on takes ${Object.keys(FAIL_ON).join(', ')}, got '${name}'`);
  }
  return [...previous, ...names];
}

function printWarnings(io: CliIo, warnings: readonly TrendWarning[]): void {
  for (const warning of warnings) warn(io, `${warning.file}${warning.line === null ? '' : `:${warning.line}`}: ${warning.message}`.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
}
