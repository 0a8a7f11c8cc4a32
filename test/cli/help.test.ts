import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

/**
 * The help of every command, found from `gemleak --help` down (so a new command is covered without
 * editing this file): an example, the exit codes, and none of commander's programmer-facing
 * artefacts.
 */

/** The subcommand names listed under "Commands:" in a help page (commander's own `help` left out). */
function subcommandsOf(help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

function everyCommand(): string[][] {
  const found: string[][] = [];
  const visit = (path: string[]) => {
    const run = runCli([...path, '--help']);
    if (run.status !== 0) throw new Error(`gemleak ${path.join(' ')} --help exited ${run.status}: ${run.stderr}`);
    found.push(path);
    for (const name of subcommandsOf(run.stdout)) visit([...path, name]);
  };
  visit([]);
  return found;
}

const commands = everyCommand();
const groups = commands.filter((path) => commands.some((other) => other.length === path.length + 1 && other.join(' ').startsWith(`${path.join(' ')} `)) && path.length > 0);

describe('help of every command', () => {
  it('finds the commands the README documents (so the lists below are not empty)', () => {
    const names = commands.map((path) => path.join(' '));
    for (const expected of ['', 'check', 'update', 'db', 'db status', 'db lint', 'hook', 'hook install', 'hook uninstall', 'heap', 'heap diff', 'heap summary']) {
      expect(names).toContain(expected);
    }
    expect(groups.map((path) => path.join(' '))).toEqual(expect.arrayContaining(['db', 'hook', 'heap']));
  });

  it.each(commands.map((path) => [path.join(' ') || '(gemleak itself)', path]))('%s --help: an example, the exit codes, no commander artefacts', (_name, path) => {
    const run = runCli([...(path as string[]), '--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Usage: ${['gemleak', ...(path as string[])].join(' ')} `);
    expect(run.stdout).toMatch(/\nExamples:\n {2}\$ gemleak /);
    expect(run.stdout).toMatch(/\nExit codes: .*\b2\b/);
    expect(run.stdout).not.toContain('(default: false)');
    expect(run.stdout).not.toContain('default: []');
    expect(run.stdout).not.toContain('default: false');
    // The options of gemleak itself that work after any command are listed on every page.
    expect(run.stdout).toMatch(/\n(Global )?Options:\n[\s\S]*--no-color/);
  });

  it.each(commands.filter((path) => path.length > 0).map((path) => [path.join(' '), path]))('gemleak help %s is the same page as --help', (_name, path) => {
    const viaHelp = runCli(['help', ...(path as string[])]);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toBe(runCli([...(path as string[]), '--help']).stdout);
  });

  it.each(groups.map((path) => [path.join(' '), path]))('gemleak %s without a subcommand: its help on stderr, exit 2', (_name, path) => {
    const run = runCli(path as string[]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Usage: gemleak ${(path as string[]).join(' ')} [options] [command]`);
  });

  it.each(groups.map((path) => [path.join(' '), path]))('gemleak %s bogus: unknown command, naming the group', (_name, path) => {
    const run = runCli([...(path as string[]), 'bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: unknown command 'bogus'\n(run gemleak ${(path as string[]).join(' ')} --help for usage)\n`);
  });
});

describe('usage errors name the command the user ran', () => {
  it.each([
    [['heap', 'diff'], "error: missing required argument 'A'", 'gemleak heap diff'],
    [['heap', 'summary'], "error: missing required argument 'dump'", 'gemleak heap summary'],
    [['db', 'lint', '--bogus'], "error: unknown option '--bogus'", 'gemleak db lint'],
    [['hook', 'install', '--bogus'], "error: unknown option '--bogus'", 'gemleak hook install'],
    [['check', '--bogus'], "error: unknown option '--bogus'", 'gemleak check'],
    [['bogus'], "error: unknown command 'bogus'", 'gemleak'],
    [['help', 'bogus'], "error: unknown command 'bogus'", 'gemleak'],
    [['help', 'heap', 'bogus'], "error: unknown command 'bogus'", 'gemleak heap'],
  ])('%j', (args, message, command) => {
    const run = runCli(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${message}\n(run ${command} --help for usage)\n`);
    // The hint works: it prints that command's own help.
    const hint = runCli([...command.split(' ').slice(1), '--help']);
    expect(hint.stdout).toContain(`Usage: ${command} `);
  });
});

describe('global options', () => {
  it.each([[['check', '-V']], [['check', '--version']], [['heap', 'diff', 'a', 'b', '--version']], [['--no-color', '--version']]])('%j prints the version instead of running the command', (args) => {
    const run = runCli(args);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^gemleak \d+\.\d+\.\d+ \(\d+ advisories, bundled database\)\n$/);
    expect(run.stderr).toBe('');
  });

  it('--no-color is accepted by every command, wherever it stands', () => {
    for (const path of commands) {
      const run = runCli([...path, '--no-color', '--help']);
      expect(run.status, `gemleak ${path.join(' ')} --no-color --help: ${run.stderr}`).toBe(0);
    }
  });

  it('--no-color turns colour off where FORCE_COLOR would turn it on', () => {
    const lockfile = path.join(repoRoot, 'examples', 'Gemfile.lock');
    const forced = runCli(['check', lockfile], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    const plain = runCli(['check', '--no-color', lockfile], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(plain.status).toBe(1);
    expect(forced.stdout).toContain('\u001b[');
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stdout).toBe(forced.stdout.replace(/\u001b\[[0-9;]*m/g, ''));
  });

  it('the help of gemleak documents NO_COLOR, FORCE_COLOR and --no-color', () => {
    const run = runCli(['--help']);
    expect(run.stdout).toContain('--no-color');
    expect(run.stdout).toContain('NO_COLOR=1');
    expect(run.stdout).toContain('FORCE_COLOR=1');
  });
});
