import { statSync } from 'node:fs';
import path from 'node:path';
import { GemleakError } from '../errors.js';
import { GEMLEAK_VERSION } from '../version.js';
import { appRoot, detectRubyVersion } from '../runtime/index.js';
import { type InterpreterAdvisoryLike, combinedRubyUpgrade, interpreterAdvisoryFindings } from './interpreter.js';
import { inspectProcess, judgeProcess } from './live.js';
import { judgeDeployment } from './rules.js';
import { scanDeployment } from './scan.js';
import { DOCTOR_SEVERITIES, type DoctorFinding, type DoctorResult, type DoctorSeverity, type FailOn } from './types.js';

export type { DoctorFinding, DoctorResult, DoctorSeverity, FailOn } from './types.js';

export interface DoctorOptions {
  /** The app folder to scan; undefined with `pid` alone. */
  dir?: string;
  /** What `dir` is relative to (default: the process's working directory). */
  cwd?: string;
  /** A running process to inspect (Linux). */
  pid?: number;
  /** Interpreter advisories to match the detected Ruby against (see interpreter.ts). */
  interpreterAdvisories?: readonly InterpreterAdvisoryLike[];
}

/**
 * `gemleak doctor`: the app's deployment files, its Ruby, and/or a live process, judged. With both
 * a folder and a PID, the live process decides the overall answer (it is what really runs).
 */
export function runDoctor(options: DoctorOptions): DoctorResult {
  const findings: DoctorFinding[] = [];
  let verdict: DoctorResult['verdict'] = { allocator: 'unknown', headline: 'nothing was checked' };
  let ruby: DoctorResult['ruby'] = null;
  let filesScanned: DoctorResult['filesScanned'] = [];
  const warnings: DoctorResult['warnings'] = [];
  if (options.dir !== undefined) {
    const root = openAppFolder(options.dir, options.cwd ?? process.cwd());
    const facts = scanDeployment(root);
    const dockerfiles = facts.files.filter((file) => file.kind === 'dockerfile').map((file) => file.relative);
    ruby = detectRubyVersion(options.dir, { root, dockerfiles });
    const judgement = judgeDeployment(facts, ruby);
    const yjit = facts.yjit[0];
    const interpreter = interpreterAdvisoryFindings(ruby.chosen, options.interpreterAdvisories ?? [], { yjit: yjit !== undefined, ...(yjit ? { yjitWhere: `${yjit.file}:${yjit.line}` } : {}) });
    // The database's YJIT advisory (ruby-20209) says what the built-in YJIT check says: keep one.
    const upgrade = combinedRubyUpgrade(ruby.chosen, options.interpreterAdvisories ?? []);
    if (upgrade !== null) interpreter.push(upgrade);
    const covered = interpreter.some((finding) => finding.rule === 'interpreter/ruby-20209');
    findings.push(...judgement.findings.filter((finding) => !(covered && finding.rule === 'growth/yjit-ruby-3.3.0')), ...interpreter);
    verdict = { allocator: judgement.allocator, headline: judgement.headline };
    filesScanned = facts.files;
    warnings.push(...facts.warnings, ...ruby.warnings);
  }
  let snapshot: DoctorResult['process'] = null;
  if (options.pid !== undefined) {
    snapshot = inspectProcess(options.pid);
    const judgement = judgeProcess(snapshot);
    findings.push(...judgement.findings);
    // With a folder too, its version file already carries the interpreter findings, at their line.
    if (options.dir === undefined && snapshot.rubyVersion !== null && /^\d+\.\d+\.\d+$/.test(snapshot.rubyVersion)) {
      const yjit = /^(1|true)$/i.test(snapshot.env.RUBY_YJIT_ENABLE ?? '') || /--yjit\b/.test(`${snapshot.env.RUBYOPT ?? ''} ${snapshot.commandLine ?? ''}`);
      const engine = snapshot.rubyDescription?.split(' ')[0] ?? 'ruby';
      const live = interpreterAdvisoryFindings({ engine, version: snapshot.rubyVersion, file: null, line: null }, options.interpreterAdvisories ?? [], { yjit });
      findings.push(...live.map((finding) => ({ ...finding, category: 'process' as const })));
    }
    verdict = { allocator: judgement.allocator, headline: judgement.headline };
  }
  return {
    gemleakVersion: GEMLEAK_VERSION,
    root: options.dir ?? null,
    verdict,
    ruby,
    findings: sortFindings(findings),
    filesScanned,
    process: snapshot,
    interpreterAdvisories: options.interpreterAdvisories?.length ?? 0,
    warnings,
  };
}

function openAppFolder(dir: string, cwd: string) {
  let isDirectory = false;
  try {
    isDirectory = statSync(path.resolve(cwd, dir)).isDirectory();
  } catch {
    throw new GemleakError('DOCTOR_NO_FOLDER', 'no such folder', { file: dir });
  }
  if (!isDirectory) throw new GemleakError('DOCTOR_NOT_A_FOLDER', 'not a folder: gemleak doctor scans an app folder (its Dockerfile, Procfile, fly.toml, …)', { file: dir });
  return appRoot(dir, cwd);
}

const RANK: Record<DoctorSeverity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** Most serious first, then by file and line. */
function sortFindings(findings: DoctorFinding[]): DoctorFinding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
}

/** The findings that fail a run under `--fail-on` (`none`: never). `info` never fails. */
export function failingFindings(result: DoctorResult, failOn: FailOn): DoctorFinding[] {
  if (failOn === 'none') return [];
  const limit = DOCTOR_SEVERITIES.indexOf(failOn);
  return result.findings.filter((finding) => finding.severity !== 'info' && DOCTOR_SEVERITIES.indexOf(finding.severity) <= limit);
}
