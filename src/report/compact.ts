import type { CheckResult, Finding } from '../audit/types.js';
import { ignoreKey } from '../advisories/types.js';
import { type Style, createStyle, plural } from './style.js';
import { activeFindings } from './text.js';
import { forTerminal, shellWord } from './escape.js';

export interface CompactOptions {
  color: boolean;
  /** Nothing at all when clean. */
  quiet: boolean;
}

/**
 * The report of `gemleak check --staged`, read in the middle of a `git commit`: two lines per
 * finding (gem, version, where, advisory; then the fix), how to accept a finding on purpose and how
 * to bypass the hook once. One line when clean. Never the heap-diff follow-up: a commit is not the
 * moment for it.
 */
export function renderCompact(unsafe: CheckResult, options: CompactOptions): string {
  const result = forTerminal(unsafe);
  const style = createStyle(options.color);
  const active = activeFindings(result);
  // The fix command is quoted for the shell from the path as it is (quoting escapes it for the terminal too).
  const rawLockfiles = activeFindings(unsafe).map((finding) => finding.lockfile);
  const suppressed = result.audits.flatMap((audit) => audit.findings.filter((finding) => finding.suppressed));
  const gems = result.audits.reduce((sum, audit) => sum + audit.gemsChecked, 0);
  const where = result.audits.length === 1 ? `the staged ${result.audits[0]?.lockfile ?? 'lockfile'}` : `${plural(result.audits.length, 'staged lockfile')}`;
  const ignored = suppressed.length === 0 ? '' : `; ${suppressed.length} ignored: ${unique(suppressed.map((finding) => ignoreKey(finding.advisory))).join(', ')}`;
  if (active.length === 0) {
    if (options.quiet) return '';
    return `${style.green(`gemleak: no known memory leaks in ${where}`)} ${style.dim(`(${plural(gems, 'gem')} checked${ignored})`)}\n`;
  }
  const lines = [
    style.red(style.bold(`gemleak: ${where} ${result.audits.length === 1 ? 'locks' : 'lock'} ${plural(active.length, 'gem version')} with a known memory leak:`)),
    '',
    ...active.flatMap((finding, index) => renderFinding(finding, rawLockfiles[index] ?? finding.lockfile, style)),
    '',
    ...howToProceed(active, style),
  ];
  if (ignored !== '') lines.push(style.dim(`(${plural(gems, 'gem')} checked${ignored})`));
  return `${lines.join('\n')}\n`;
}

function renderFinding(finding: Finding, rawLockfile: string, style: Style): string[] {
  const platforms = finding.platforms.length === 1 && finding.platforms[0] === 'ruby' ? '' : ` [${finding.platforms.join(', ')}]`;
  return [
    `  ${style.bold(style.red(`${finding.gem} ${finding.version}`))}${platforms}  ${style.dim(`${finding.lockfile}:${finding.line}`)}  ${ignoreKey(finding.advisory)}: ${finding.advisory.title.trim()}`,
    `    ${renderFix(finding, rawLockfile, style)}`,
  ];
}

function renderFix(finding: Finding, rawLockfile: string, style: Style): string {
  const { fix } = finding;
  if (fix.patchedVersions.length === 0) return `fix: ${style.yellow('no fixed version is known')}; consider replacing the gem (${finding.advisory.url})`;
  const target = fix.minimumSafeVersion === null ? `a patched version (${fix.patchedVersions.join('; ')})` : `${style.green(fix.minimumSafeVersion)} or later`;
  return `fix: upgrade to ${target}: ${runnableFrom(rawLockfile, fix.command)}`;
}

/**
 * The fix command as it can be pasted where the report is read: in the lockfile's folder, and for a
 * dual-boot lockfile (`Gemfile.next.lock`) with BUNDLE_GEMFILE naming its Gemfile.
 */
export function runnableFrom(lockfile: string, command: string): string {
  if (!command.startsWith('bundle ')) return command;
  const normal = lockfile.replace(/\\/g, '/');
  const slash = normal.lastIndexOf('/');
  const folder = slash < 0 ? '' : normal.slice(0, slash);
  const name = normal.slice(slash + 1);
  const gemfile = /^Gemfile.+\.lock$/.test(name) && name !== 'Gemfile.lock' ? name.slice(0, -'.lock'.length) : null;
  const withGemfile = gemfile === null ? command : `BUNDLE_GEMFILE=${shellWord(gemfile)} ${command}`;
  if (folder === '') return withGemfile;
  // `cd -rf` is an option to cd however it is quoted: `--` ends the options.
  return `cd ${folder.startsWith('-') ? '-- ' : ''}${shellWord(folder)} && ${withGemfile}`;
}

function howToProceed(active: Finding[], style: Style): string[] {
  const first = active[0];
  const id = first === undefined ? '<gem>-<id>' : ignoreKey(first.advisory);
  return [
    `To accept a finding on purpose, add it to .gemleak.toml (or pass --ignore ${id} to gemleak check):`,
    style.dim('  [[ignore]]'),
    style.dim(`  id = "${id}"`),
    style.dim('  reason = "why this leak does not matter here"'),
    `To commit anyway, just this once: ${style.bold('git commit --no-verify')}`,
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
