import type { Advisory } from '../advisories/types.js';
import { GemRequirement, GemVersion } from '../versions/index.js';
import { isAffected } from './match.js';

/** The versions above a locked one that no advisory of the gem flags, for the builds locked. */
export interface SafeVersions {
  /**
   * The smallest safe version that can be named (the first safe range's inclusive lower bound), or
   * null when none can: no fix exists, or the first safe range starts just above a version (`> 1.2`).
   */
  minimum: string | null;
  /** Every safe stretch above the locked version as a RubyGems requirement, lowest first (`= 3.3.1`, `>= 3.9`). */
  ranges: string[];
}

/**
 * Every version an advisory's requirements can treat differently from its neighbours is one of the
 * versions written in them (or the bump of a `~>`). Between two such boundaries every version
 * meets the same constraints, so testing each boundary and one version just above it decides the
 * whole line. Pure, and run only for gems that have a finding.
 */
export function safeVersionsAbove(advisories: readonly Advisory[], locked: GemVersion, platforms: readonly (string | null)[]): SafeVersions {
  const points = boundariesAbove(advisories, locked);
  const affected = (version: GemVersion) => platforms.some((platform) => advisories.some((advisory) => isAffected(advisory, version, platform)));
  // Stretches in order: (locked, p1), p1, (p1, p2), p2, ..., pn, (pn, ∞).
  const stretches: Stretch[] = [];
  let below: GemVersion = locked;
  for (const point of points) {
    stretches.push({ kind: 'open', from: below, to: point, safe: !affected(justAbove(below)) });
    stretches.push({ kind: 'point', at: point, safe: !affected(point) });
    below = point;
  }
  stretches.push({ kind: 'open', from: below, to: null, safe: !affected(justAbove(below)) });
  // Between the locked version and the next boundary lie only versions no advisory names: not
  // advice anyone can follow, and usually releases that do not exist.
  if (stretches[0]!.safe && points.length > 0) stretches[0]!.safe = false;
  const runs = safeRuns(stretches);
  const firstPoint = runs.flat().find((stretch) => stretch.kind === 'point');
  return {
    minimum: firstPoint?.kind === 'point' ? firstPoint.at.toString() : null,
    ranges: runs.map(describeRun),
  };
}

type Stretch = { kind: 'point'; at: GemVersion; safe: boolean } | { kind: 'open'; from: GemVersion; to: GemVersion | null; safe: boolean };

function boundariesAbove(advisories: readonly Advisory[], locked: GemVersion): GemVersion[] {
  const seen = new Map<string, GemVersion>();
  const add = (version: GemVersion) => {
    if (version.compare(locked) > 0) seen.set(version.toString(), version);
  };
  for (const advisory of advisories) {
    for (const text of [...advisory.leakyVersions, ...advisory.patchedVersions, ...advisory.unaffectedVersions]) {
      for (const { operator, version } of GemRequirement.parse(text).constraints) {
        add(version);
        if (operator === '~>') add(version.bump());
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.compare(b));
}

/**
 * A version above `version` and below any other boundary: a boundary is written with a few
 * segments, so one with a long run of zeros before its last segment sorts right after `version`.
 */
function justAbove(version: GemVersion): GemVersion {
  return GemVersion.parse(`${version.toString()}.0.0.0.0.0.0.1`);
}

function safeRuns(stretches: readonly Stretch[]): Stretch[][] {
  const runs: Stretch[][] = [];
  let current: Stretch[] = [];
  for (const stretch of stretches) {
    if (stretch.safe) {
      current.push(stretch);
    } else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** `= 3.3.1`, `>= 3.9`, `>= 1.8.7, < 1.9`, `> 1.2, <= 1.4`. */
function describeRun(run: readonly Stretch[]): string {
  const start = run[0]!;
  const end = run[run.length - 1]!;
  if (run.length === 1 && start.kind === 'point') return `= ${start.at.toString()}`;
  const lower = start.kind === 'point' ? `>= ${start.at.toString()}` : `> ${start.from.toString()}`;
  if (end.kind === 'point') return `${lower}, <= ${end.at.toString()}`;
  return end.to === null ? lower : `${lower}, < ${end.to.toString()}`;
}
