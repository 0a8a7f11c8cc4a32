import type { CheckResult } from '../audit/types.js';
import type { CheckFormat } from '../formats.js';

export { CHECK_FORMATS, type CheckFormat } from '../formats.js';

/** A check report: every `--format`, plus `compact`, the pre-commit hook's text. */
export type CheckReport = CheckFormat | 'compact';

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
export const RENDERERS: Record<CheckReport, () => Promise<Renderer>> = {
  text: async () => (await import('./text.js')).renderText,
  compact: async () => (await import('./compact.js')).renderCompact,
  table: async () => (await import('./table.js')).renderTable,
  json: async () => (await import('./json.js')).renderJson,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  github: async () => (await import('./github.js')).renderGithub,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
  junit: async () => (await import('./junit.js')).renderJunit,
};

/**
 * The heap commands' reports, loaded the same way as the check formats: each module on first use, so
 * `heap diff --format json` never loads the text renderer.
 */
export const HEAP_RENDERERS = {
  diffText: async () => (await import('./heap-text.js')).renderHeapDiffText,
  diffJson: async () => (await import('./heap-json.js')).renderHeapDiffJson,
  diffHeapy: async () => (await import('./heap-heapy.js')).renderHeapyLines,
  path: async () => import('./heap-path.js'),
  grow: async () => import('./heap-grow.js'),
  summary: async () => import('./heap-summary.js'),
};

export async function renderReport(format: CheckReport, result: CheckResult, context: ReportContext): Promise<string> {
  const render = await RENDERERS[format]();
  return render(result, context);
}
