import type { DoctorFormat, DoctorResult } from '../doctor/types.js';
import { terminalLine } from '../terminal.js';

/** Each `--format` of `gemleak doctor` is one reporter file over the same `DoctorResult`. */
export type { DoctorFormat } from '../doctor/types.js';

export interface DoctorReportContext {
  color: boolean;
  /** A file as the result names it → its path from the repository top (SARIF). */
  repoPath(file: string): string;
}

type DoctorRenderer = (result: DoctorResult, context: DoctorReportContext) => string;

/** Loaded on first use, like the check reporters (src/report/index.ts). */
const DOCTOR_RENDERERS: Record<DoctorFormat, () => Promise<DoctorRenderer>> = {
  text: async () => (await import('./doctor-text.js')).renderDoctorText,
  json: async () => (await import('./doctor-json.js')).renderDoctorJson,
  sarif: async () => (await import('./doctor-sarif.js')).renderDoctorSarif,
  markdown: async () => (await import('./doctor-markdown.js')).renderDoctorMarkdown,
};

export async function renderDoctorReport(format: DoctorFormat, result: DoctorResult, context: DoctorReportContext): Promise<string> {
  return (await DOCTOR_RENDERERS[format]())(result, context);
}

/**
 * Text from an app's files made safe for a terminal: control characters (ESC sequences, carriage
 * returns that overwrite a line) and bidirectional overrides are shown as escapes, never obeyed.
 */
export function terminalSafe(text: string): string {
  return terminalLine(text);
}

/** `file:line`, or '' for what has no place in a file. */
export function location(file: string | null, line: number | null): string {
  if (file === null) return '';
  return line === null || line === 0 ? file : `${file}:${line}`;
}

export function counts(result: DoctorResult): { high: number; medium: number; low: number; info: number } {
  const tally = { high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of result.findings) tally[finding.severity]++;
  return tally;
}
