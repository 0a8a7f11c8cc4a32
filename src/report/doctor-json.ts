import type { DoctorResult } from '../doctor/types.js';
import { counts } from './doctor-format.js';

/** Bumped only on breaking changes to the JSON shape; see schemas/doctor-result.schema.json. */
export const DOCTOR_JSON_SCHEMA_VERSION = 1;

export function renderDoctorJson(result: DoctorResult): string {
  const tally = counts(result);
  const document = {
    schema_version: DOCTOR_JSON_SCHEMA_VERSION,
    gemleak_version: result.gemleakVersion,
    root: result.root,
    verdict: { allocator: result.verdict.allocator, headline: result.verdict.headline },
    summary: { high: tally.high, medium: tally.medium, low: tally.low, info: tally.info, files_scanned: result.filesScanned.length, interpreter_advisories: result.interpreterAdvisories },
    ruby:
      result.ruby === null
        ? null
        : {
            chosen: result.ruby.chosen === null ? null : sourceJson(result.ruby.chosen),
            sources: result.ruby.sources.map(sourceJson),
          },
    findings: result.findings.map((finding) => ({
      rule: finding.rule,
      category: finding.category,
      severity: finding.severity,
      message: finding.message,
      file: finding.file,
      line: finding.line,
      fix: finding.fix,
      fix_where: finding.fixWhere,
      url: finding.url,
    })),
    files: result.filesScanned.map((file) => ({ path: file.file, kind: file.kind })),
    process:
      result.process === null
        ? null
        : {
            pid: result.process.pid,
            readable: result.process.readable,
            denied: result.process.denied,
            executable: result.process.executable,
            command_line: result.process.commandLine,
            jemalloc_mapped: result.process.jemallocMapped,
            musl: result.process.muslMapped,
            env: result.process.env,
            rss_kb: result.process.rssKb,
            pss_kb: result.process.pssKb,
            ruby_description: result.process.rubyDescription,
            ruby_version: result.process.rubyVersion,
            fallback_commands: result.process.fallbackCommands,
          },
    warnings: result.warnings.map((warning) => ({ message: warning.message, file: warning.file ?? null, line: warning.line ?? null })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function sourceJson(source: NonNullable<DoctorResult['ruby']>['sources'][number]) {
  return {
    kind: source.kind,
    file: source.file,
    line: source.line,
    raw: source.raw,
    engine: source.engine,
    version: source.version,
    engine_version: source.engineVersion,
    requirement: source.requirement,
    patchlevel: source.patchlevel,
  };
}
