import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/**
 * Written after a build that succeeded, and only then: its age is the age of the last good build.
 * Outside dist/, which is packed.
 */
const STAMP = path.join(repoRoot, 'node_modules', '.cache', 'gemleak-test-build-ok');

/** What the build reads: a change to any of these makes dist/ stale. */
const BUILD_INPUTS = ['src', 'bin', 'advisories', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'test/helpers/build.ts'];

/** Newest modification time of a file, or of anything under a folder (0 when it does not exist). */
function newest(target: string): number {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

/**
 * CLI tests run the real `bin/gemleak.js`, which loads `dist/`. Rebuild when anything the build reads
 * is newer than the last good build, so `npx vitest run test/...` alone never tests stale JavaScript.
 * The build is authoritative: a type error (tsc still emits JavaScript then) or a failed bundle
 * stops the run here, before any test sees what it left behind, and the next run builds again.
 */
export function setup(): void {
  const lastGoodBuild = newest(STAMP);
  const inputs = Math.max(...BUILD_INPUTS.map((input) => newest(path.join(repoRoot, input))));
  if (lastGoodBuild > 0 && lastGoodBuild >= inputs) return;
  rmSync(STAMP, { force: true });
  // The package's own build (package.json "build"), so the tests see what `npm install` and `npm pack` ship.
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.error !== undefined || build.status !== 0) {
    throw new Error(`test setup: npm run build failed (${build.error?.message ?? `exit ${build.status}`}, see above); no test runs against a stale or ill-typed dist/`);
  }
  mkdirSync(path.dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}
