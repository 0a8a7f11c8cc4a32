import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak hook install|uninstall`; the implementation is loaded only when one runs. */
export function registerHook(program: Command, context: CommandContext): void {
  const hook = program
    .command('hook')
    .description('install or remove the git pre-commit hook that runs "gemleak check --staged"')
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak hook install              # add the check to the pre-commit hook git runs here
  $ gemleak hook uninstall            # take it out again, leaving the rest of the hook as it was

Hook managers (pre-commit, lefthook, husky, overcommit): run "gemleak check --staged" from them instead.`,
    );

  hook
    .command('install')
    .description('add "gemleak check --staged" to the pre-commit hook git runs (core.hooksPath and worktrees honoured)')
    .option('--force', 'move an existing hook gemleak cannot add to (not a shell script) aside, and run it after the check', false)
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak hook install
  $ gemleak hook install --force      # the existing pre-commit hook is a Python script: chain it

An existing shell hook keeps its content: gemleak adds a block between "# >>> gemleak >>>" and
"# <<< gemleak <<<" right after its #! line. Running install again updates that block.
Exit codes: 0 installed, 2 could not install (not a git repository, a hook gemleak will not edit).`,
    )
    .action(async (flags: { force: boolean }) => {
      const { runHookInstall } = await import('../staged/hook.js');
      await runHookInstall(flags, context);
    });

  hook
    .command('uninstall')
    .description("remove gemleak's block from the pre-commit hook (deleting the hook only if gemleak created it)")
    .addHelpText(
      'after',
      `
Examples:
  $ gemleak hook uninstall

Exit codes: 0 removed or nothing to remove, 2 could not remove (the block was damaged by hand).`,
    )
    .action(async () => {
      const { runHookUninstall } = await import('../staged/hook.js');
      await runHookUninstall(context);
    });
}
