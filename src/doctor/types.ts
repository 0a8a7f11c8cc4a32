import type { RubyVersionDetection } from '../runtime/types.js';

/**
 * How much a finding matters, the same three levels as `gemleak check` (high / medium / low),
 * plus `info` for facts the report states (jemalloc is preloaded, the Ruby version) that never
 * fail a run. SARIF: error / warning / note; GitHub annotations: error / warning / notice.
 */
export const DOCTOR_SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
export type DoctorSeverity = (typeof DOCTOR_SEVERITIES)[number];
export const FAIL_ON_LEVELS = ['high', 'medium', 'low', 'none'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

/** Every `--format` of `gemleak doctor` (here, not in the reporters, so the CLI can declare them without loading any). */
export const DOCTOR_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type DoctorFormat = (typeof DOCTOR_FORMATS)[number];

type DoctorCategory = 'allocator' | 'growth' | 'interpreter' | 'process';

export interface DoctorFinding {
  /** Stable rule id, e.g. `allocator/glibc-untuned`; SARIF's ruleId. */
  rule: string;
  category: DoctorCategory;
  severity: DoctorSeverity;
  /** One sentence: what is the case. */
  message: string;
  /** Where it shows (null for what only a live process shows). */
  file: string | null;
  line: number | null;
  /** Text to paste (a Dockerfile snippet, a command, a TOML table), or null when nothing is to change. */
  fix: string | null;
  /** Where the fix goes, when not at `file`: `Dockerfile, final stage (after line 40)`. */
  fixWhere: string | null;
  /** A link backing the claim. */
  url: string | null;
}

/** Where an environment variable is set, and whether that place is part of what runs. */
export interface EnvSetting {
  name: string;
  value: string;
  file: string;
  line: number;
  /** `stage "build"`, `service web`, `container app`, `process web`. */
  context: string;
  /** False for a Dockerfile stage the final image does not inherit from. */
  runs: boolean;
}

type JemallocHow = 'preload' | 'installed' | 'linked' | 'buildpack';

export interface JemallocEvidence {
  how: JemallocHow;
  file: string;
  line: number;
  text: string;
  runs: boolean;
  /** For an entrypoint preload: only if the library exists in the image. */
  conditional: boolean;
}

export interface BaseImage {
  image: string;
  file: string;
  line: number;
  musl: boolean;
  /** The image the final stage builds on (directly or through earlier stages). */
  runs: boolean;
}

export interface Evidence {
  file: string;
  line: number;
  text: string;
}

/** Everything the deployment files say, before any judgement. */
export interface DeploymentFacts {
  /** `file` as messages show it; `relative` inside the app folder. */
  files: { file: string; relative: string; kind: DeploymentFileKind }[];
  env: EnvSetting[];
  jemalloc: JemallocEvidence[];
  images: BaseImage[];
  /** The final `FROM` of each Dockerfile: where a Dockerfile fix goes. */
  finalStages: {
    file: string;
    /** The final FROM, and the FROM of the stage it builds on (the Rails template's `base`). */
    line: number;
    baseLine: number;
    debianLike: boolean;
    railsTemplate: boolean;
  }[];
  yjit: Evidence[];
  restarters: { gem: string; version: string; file: string; line: number }[];
  heroku: Evidence | null;
  fly: Evidence | null;
  warnings: DoctorWarning[];
}

export type DeploymentFileKind = 'dockerfile' | 'entrypoint' | 'procfile' | 'app.json' | 'fly.toml' | 'compose' | 'kubernetes' | 'kamal' | 'lockfile' | 'rails-config';

export interface DoctorWarning {
  file?: string;
  line?: number;
  message: string;
}

/** The overall answer, first in every report. */
export type AllocatorVerdict = 'jemalloc' | 'jemalloc-musl' | 'glibc-capped' | 'glibc' | 'musl' | 'heroku-unknown' | 'unknown';

export interface ProcessSnapshot {
  pid: number;
  /** False when /proc/PID/maps or environ could not be read (another user's process). */
  readable: boolean;
  denied: string[];
  executable: string | null;
  commandLine: string | null;
  jemallocMapped: string | null;
  muslMapped: boolean;
  env: Record<string, string>;
  rssKb: number | null;
  pssKb: number | null;
  rubyDescription: string | null;
  rubyVersion: string | null;
  /** What to run where the process lives, when gemleak could not look itself. */
  fallbackCommands: string[];
}

export interface DoctorResult {
  gemleakVersion: string;
  /** The app folder scanned, or null for `--pid` alone. */
  root: string | null;
  verdict: { allocator: AllocatorVerdict; headline: string };
  ruby: RubyVersionDetection | null;
  findings: DoctorFinding[];
  filesScanned: { file: string; relative: string; kind: DeploymentFileKind }[];
  process: ProcessSnapshot | null;
  /** How many interpreter advisories were checked (0 when none are loaded). */
  interpreterAdvisories: number;
  warnings: DoctorWarning[];
}
