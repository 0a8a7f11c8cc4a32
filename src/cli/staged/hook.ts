import { existsSync } from 'node:fs';
import { terminalLines } from '../../terminal.js';
import path from 'node:path';
import { installHook, uninstallHook, type InstallResult, type UninstallResult } from '../../hook/install.js';
import { BLOCK_END, BLOCK_START, type HookCommand } from '../../hook/script.js';
import { GemleakError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import type { CommandContext } from '../context.js';

/** `gemleak hook install [--force]`. */
export async function runHookInstall(flags: { force: boolean }, context: CommandContext): Promise<void> {
  const { io } = context;
  const command = installingGemleak();
  const result = await installHook({ cwd: io.cwd, env: io.env }, { command, force: flags.force, executableBits: process.platform !== 'win32' });
  io.stdout.write(`${terminalLines(describeInstall(result, command, io.cwd))}\n`);
}

/** `gemleak hook uninstall`. */
export async function runHookUninstall(context: CommandContext): Promise<void> {
  const { io } = context;
  const result = await uninstallHook({ cwd: io.cwd, env: io.env });
  io.stdout.write(`${terminalLines(describeUninstall(result, io.cwd))}\n`);
}

/** This very gemleak: the node running it and its `bin/gemleak.js`. */
function installingGemleak(): HookCommand {
  const cli = path.join(PACKAGE_ROOT, 'bin', 'gemleak.js');
  if (!existsSync(cli)) throw new GemleakError('HOOK_NO_CLI', 'cannot find the gemleak script to put in the hook', { file: cli });
  return { node: process.execPath, cli };
}

function describeInstall(result: InstallResult, command: HookCommand, cwd: string): string {
  const hook = display(result.hookFile, cwd);
  const runs = `It runs "${command.node} ${command.cli} check --staged" (or "gemleak" on PATH if that is gone) before each commit.`;
  switch (result.action) {
    case 'created':
      return `gemleak: installed the pre-commit hook ${hook}\n${runs}\nUndo with: gemleak hook uninstall`;
    case 'added':
      return `gemleak: added gemleak's check to the existing pre-commit hook ${hook}, between "${BLOCK_START}" and "${BLOCK_END}"; the rest of the hook is unchanged and still runs.\n${runs}\nUndo with: gemleak hook uninstall`;
    case 'updated':
      return `gemleak: updated gemleak's block in the pre-commit hook ${hook}\n${runs}`;
    case 'unchanged':
      return `gemleak: the pre-commit hook ${hook} already runs this gemleak; nothing changed`;
    case 'moved-aside':
      return `gemleak: moved the existing pre-commit hook to ${display(result.savedFile, cwd)} and installed ${hook}, which runs gemleak's check and then that hook.\n${runs}\nUndo with: gemleak hook uninstall (puts the previous hook back)`;
  }
}

function describeUninstall(result: UninstallResult, cwd: string): string {
  const hook = display(result.hookFile, cwd);
  switch (result.action) {
    case 'not-installed':
      return `gemleak: no gemleak check in ${hook}; nothing to remove`;
    case 'deleted':
      return `gemleak: removed the pre-commit hook ${hook} (gemleak had created it)`;
    case 'restored':
      return `gemleak: removed gemleak's hook and put the previous one back at ${hook}`;
    case 'removed-block':
      return `gemleak: removed gemleak's block from ${hook}; the rest of the hook is as it was`;
  }
}

/** Relative to where the user is when that is below it, else absolute. */
function display(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
