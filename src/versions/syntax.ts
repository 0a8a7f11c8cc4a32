/**
 * Ruby's `\s` and `String#strip` know only ASCII whitespace. JavaScript's `trim()` and `\s` also
 * take NBSP and other Unicode spaces, which would make `"1.0\u00a0"` valid here and not in RubyGems.
 */
function isRubySpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

export function trimRubySpaceStart(text: string): string {
  let start = 0;
  while (start < text.length && isRubySpace(text.charCodeAt(start))) start++;
  return text.slice(start);
}

/** A loop rather than `/\s+$/`, which is quadratic on long inner runs of spaces. */
export function trimRubySpaceEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isRubySpace(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

export function trimRubySpace(text: string): string {
  return trimRubySpaceEnd(trimRubySpaceStart(text));
}

const MAX_QUOTED_LENGTH = 80;

/** JSON quoting makes stray tabs and newlines visible in error messages. */
export function quoteInput(text: string): string {
  const shown = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
  return JSON.stringify(shown);
}
