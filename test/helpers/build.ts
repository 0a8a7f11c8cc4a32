import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Newest modification time under a folder (0 when it does not exist). */
function newest(dir: string): number {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * CLI tests run the real `bin/gemleak.js`, which loads `dist/`. Rebuild when a source or advisory
 * file is newer than the build, so `npx vitest run test/...` alone never tests stale JavaScript.
 */
export function setup(): void {
  const built = newest(path.join(repoRoot, 'dist'));
  const sources = Math.max(newest(path.join(repoRoot, 'src')), newest(path.join(repoRoot, 'advisories')));
  if (built > 0 && built >= sources) return;
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/bundle.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-bundled-index.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  } catch {
    // tsc still emits JavaScript on type errors; `npm test` type-checks separately and fails there.
    console.warn('test setup: the build reported type errors (see above); CLI tests run the JavaScript it emitted');
  }
}
