import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding gemleak's package.json. Found by walking up from this module, because the same
 * code runs from src/ (tests), dist/ (the library build) and dist/bin/ (the CLI bundle).
 */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('gemleak: cannot find its own package.json');
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot();
