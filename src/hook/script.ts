/**
 * The text of gemleak's pre-commit hook: a marked block of POSIX sh that other hook scripts can
 * carry, and the pure edits that put it into a script and take it out again byte for byte.
 */

export const BLOCK_START = '# >>> gemleak >>>';
export const BLOCK_END = '# <<< gemleak <<<';

/** The first lines of a hook file that gemleak created itself (so uninstall may delete it). */
export const CREATED_HEADER = '#!/bin/sh\n# pre-commit hook created by `gemleak hook install`; `gemleak hook uninstall` removes it.\n';

/** Where `install --force` moves a hook it cannot add its block to (beside the hook, same folder). */
export const SAVED_HOOK_NAME = 'pre-commit.pre-gemleak';

/** Runs the hook that `--force` moved aside, as git would have: same arguments, same folder. */
export const CHAIN_SECTION = [
  `# The previous pre-commit hook, moved aside by \`gemleak hook install --force\` (uninstall puts it back):`,
  `gemleak_previous="$(dirname "$0")/${SAVED_HOOK_NAME}"`,
  'if [ -x "$gemleak_previous" ]; then exec "$gemleak_previous" "$@"; fi',
  '',
].join('\n');

/** The gemleak that installs the hook: absolute paths of node and of `bin/gemleak.js`. */
export interface HookCommand {
  node: string;
  cli: string;
}

/**
 * gemleak's block. It runs the gemleak that installed it, or the one on PATH when that is gone,
 * and ends the hook with gemleak's exit code only when the check fails, so that whatever follows
 * in the same script still runs after a clean check.
 */
export function hookBlock(command: HookCommand): string {
  return [
    BLOCK_START,
    '# Blocks a commit that stages a Gemfile.lock / gems.locked locking a gem version with a known memory',
    '# leak. Added by `gemleak hook install`; `gemleak hook uninstall` removes this block. Skip it once:',
    '# git commit --no-verify',
    `gemleak_node=${shellQuote(command.node)}`,
    `gemleak_cli=${shellQuote(command.cli)}`,
    'if [ -x "$gemleak_node" ] && [ -f "$gemleak_cli" ]; then',
    '  "$gemleak_node" "$gemleak_cli" check --staged || exit $?',
    'elif command -v gemleak >/dev/null 2>&1; then',
    '  gemleak check --staged || exit $?',
    'else',
    '  echo "gemleak: not found (neither $gemleak_cli nor gemleak on PATH); lockfiles were not checked" >&2',
    'fi',
    'unset gemleak_node gemleak_cli',
    BLOCK_END,
    '',
  ].join('\n');
}

/** Quotes a value for sh: single quotes, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Shells whose syntax is a superset of POSIX sh, so gemleak's block runs in them unchanged. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox']);

export type HookKind = { kind: 'shell' } | { kind: 'other'; reason: string };

/** Can gemleak add its block to this hook file? Only to a script that a POSIX-like shell runs. */
export function classifyHook(content: Buffer): HookKind {
  if (content.includes(0)) return { kind: 'other', reason: 'it is a binary file' };
  const text = content.toString('utf8');
  if (!text.startsWith('#!')) return { kind: 'other', reason: 'it has no #! line naming its interpreter' };
  const shebang = (text.split('\n')[0] ?? '').slice(2).trim();
  const words = shebang.split(/\s+/);
  let program = baseName(words[0] ?? '');
  if (program === 'env') {
    const next = words.slice(1).find((word) => !word.startsWith('-'));
    program = baseName(next ?? '');
  }
  if (SHELLS.has(program)) return { kind: 'shell' };
  return { kind: 'other', reason: `it is run by ${program || 'an unknown program'}, not by a POSIX shell` };
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** Where gemleak's block sits in a hook, if it is there. */
export interface BlockPosition {
  start: number;
  /** Just past the end marker and its newline. */
  end: number;
}

/**
 * Finds the marked block, or says why the markers are damaged (a start without an end, an end
 * without a start, more than one block): removing text then would be a guess, so nobody should.
 */
export function findBlock(text: string): BlockPosition | null | { damaged: string } {
  const starts = markerLines(text, BLOCK_START);
  const ends = markerLines(text, BLOCK_END);
  if (starts.length === 0 && ends.length === 0) return null;
  if (starts.length !== 1 || ends.length !== 1) {
    return { damaged: `it has ${starts.length} "${BLOCK_START}" and ${ends.length} "${BLOCK_END}" lines, expected one of each` };
  }
  const start = starts[0] as number;
  const endLine = ends[0] as number;
  if (endLine < start) return { damaged: `"${BLOCK_END}" comes before "${BLOCK_START}"` };
  const newline = text.indexOf('\n', endLine);
  return { start, end: newline < 0 ? text.length : newline + 1 };
}

/** Offsets of the lines that are exactly `marker`. */
function markerLines(text: string, marker: string): number[] {
  const found: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.replace(/\r$/, '') === marker) found.push(offset);
    offset += line.length + 1;
  }
  return found;
}

/**
 * Adds the block to a shell hook right after its `#!` line, not at the end: a hook that ends with
 * `exec ...` or `exit 0` (as the ones hook managers write do) would never reach an appended block.
 */
export function insertBlock(text: string, block: string): string {
  const newline = text.indexOf('\n');
  // A one-line hook without a final newline: the block goes last, without one either, so that
  // removing it (and the newline before it) gives back the very same bytes.
  if (newline < 0) return `${text}\n${block.replace(/\n$/, '')}`;
  return text.slice(0, newline + 1) + block + text.slice(newline + 1);
}

/** The hook without gemleak's block: exactly the text it had before the block was inserted. */
export function removeBlock(text: string, position: BlockPosition): string {
  const atEndWithoutNewline = position.end === text.length && !text.endsWith('\n') && text[position.start - 1] === '\n';
  const start = atEndWithoutNewline ? position.start - 1 : position.start;
  return text.slice(0, start) + text.slice(position.end);
}
