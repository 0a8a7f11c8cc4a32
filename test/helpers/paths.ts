import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Design notes and third-party test data (the corpus) live beside the checkout, in ../shared, or
 * wherever GEMLEAK_CORPUS points; a user's fresh clone has none, and the tests that need it skip.
 */
const corpusFromEnv = process.env.GEMLEAK_CORPUS;
export const sharedRoot = corpusFromEnv ? path.resolve(corpusFromEnv) : path.resolve(repoRoot, '../shared');
export const hasShared = existsSync(path.join(sharedRoot, 'README.md'));
export const SKIP_NO_SHARED = corpusFromEnv
  ? `(skipped: GEMLEAK_CORPUS=${corpusFromEnv} holds no corpus README.md)`
  : '(skipped: ../shared is absent; GEMLEAK_CORPUS=DIR points at the corpus elsewhere)';

export const bundledDatabase = path.join(repoRoot, 'advisories');
export const publicDatabase = path.join(sharedRoot, 'ruby-mem-advisory-db');
