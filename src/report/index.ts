import type { CheckResult } from '../audit/types.js';

/** Every `--format` of `gemleak check`; each is one reporter file over the same `CheckResult`. */
export const CHECK_FORMATS = ['text', 'json', 'sarif', 'github', 'markdown', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** What a reporter may need besides the result. Reporters are pure: no clock, no files, no env. */
export interface ReportContext {
  /** ANSI colours (text only; machine formats never colour). */
  color: boolean;
  /** Text: each advisory's description. */
  verbose: boolean;
  /** Text: nothing at all when clean. */
  quiet: boolean;
  /** Text: the app's folder name, for the heap-diff follow-up commands. */
  appName: string;
  /**
   * A file as the result names it (relative to the working directory) → its path from the top of
   * its repository with forward slashes, as SARIF and GitHub annotations want it.
   */
  repoPath(file: string): string;
  /** When the check ran (JUnit's timestamp). */
  now: Date;
}

export type Renderer = (result: CheckResult, context: ReportContext) => string;

/**
 * `{ format: renderer }`. Each renderer is loaded on first use, so `gemleak check` in a pre-commit
 * hook loads only the one it prints.
 */
export const RENDERERS: Record<CheckFormat, () => Promise<Renderer>> = {
  text: async () => (await import('./text.js')).renderText,
  json: async () => (await import('./json.js')).renderJson,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  github: async () => (await import('./github.js')).renderGithub,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
  junit: async () => (await import('./junit.js')).renderJunit,
};

export async function renderReport(format: CheckFormat, result: CheckResult, context: ReportContext): Promise<string> {
  const render = await RENDERERS[format]();
  return render(result, context);
}

export function isCheckFormat(value: string): value is CheckFormat {
  return (CHECK_FORMATS as readonly string[]).includes(value);
}
