/**
 * Terminal-safe text, shared by the CLI's error and warning lines and the reporters (which build
 * on it in report/escape.ts). A top-level module of its own so that printing an error loads no
 * reporter code.
 */

/**
 * Characters a terminal or a log viewer acts on instead of showing: C0 controls (ESC starts ANSI
 * and OSC sequences; CR and LF start a new line, where GitHub Actions looks for `::command::`),
 * DEL, C1 controls (0x9B is a one-byte CSI), Unicode line and paragraph separators, and the
 * bidirectional overrides and isolates that reorder what is shown ("Trojan Source"). Lone
 * surrogates U+DC80-U+DCFF stand for bytes that were not UTF-8 in a file name (see
 * `decodeFileName` in hook/git.ts): they are shown as the byte they were.
 */
export const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\uDC80-\uDCFF]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** One character as a visible escape: `\n`, `\e`, `\x07`, `\u202e`. */
export function visible(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A string shown on one line of a terminal: every control character becomes a visible escape. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, visible);
}
