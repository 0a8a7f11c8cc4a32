import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Design notes and third-party test data live beside the checkout; a user's fresh clone has none. */
export const sharedRoot = path.resolve(repoRoot, '../shared');
export const hasShared = existsSync(path.join(sharedRoot, 'README.md'));
export const SKIP_NO_SHARED = '(skipped: ../shared is absent)';

export const bundledDatabase = path.join(repoRoot, 'advisories');
export const publicDatabase = path.join(sharedRoot, 'ruby-mem-advisory-db');
