import { UNSAFE_FOR_TERMINAL, visible } from './terminal.js';

/**
 * A word for a POSIX shell, to paste as it is printed: bare when it is plainly safe, in single
 * quotes when it only needs protecting from the shell, in `$'...'` with escapes when it holds
 * control characters or bytes that are not UTF-8 (so the real bytes reach the command, and nothing
 * raw reaches the terminal). A word starting with `-` is quoted; the caller still puts `--` before
 * it, since quoting does not stop a command from reading it as an option.
 */
export function shellWord(word: string): string {
  if (/^[\w./][\w./-]*$/.test(word)) return word;
  if (!new RegExp(UNSAFE_FOR_TERMINAL.source, 'u').test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  const escaped = Array.from(word, (char) => {
    if (char === '\\' || char === "'") return `\\${char}`;
    if (!new RegExp(UNSAFE_FOR_TERMINAL.source, 'u').test(char)) return char;
    const code = char.charCodeAt(0);
    if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`;
    if (code > 0xff) return Array.from(Buffer.from(char, 'utf8'), (byte) => `\\x${byte.toString(16)}`).join('');
    return visible(char);
  }).join('');
  return `$'${escaped}'`;
}
