import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/** The database shipped in the package (`advisories/` at the package root), used when no other is chosen. */
export const BUNDLED_DATABASE_ROOT = path.join(PACKAGE_ROOT, 'advisories');

/**
 * The bundled advisories, validated and written as JSON at build time (scripts/build-bundled-index.mjs),
 * so that a check reads one small file instead of loading the YAML parser. Absent before the first
 * build; the loader then reads the YAML files.
 */
export const BUNDLED_INDEX_FILE = path.join(PACKAGE_ROOT, 'dist', 'bundled-index.json');
