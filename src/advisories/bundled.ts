import { fileURLToPath } from 'node:url';

/** The database shipped in the package (`advisories/` at the package root), used when no other is chosen. */
export const BUNDLED_DATABASE_ROOT = fileURLToPath(new URL('../../advisories', import.meta.url));

/**
 * The bundled advisories, validated and written as JSON at build time (scripts/build-bundled-index.mjs),
 * so that a check reads one small file instead of loading the YAML parser. Absent when running from
 * source; the loader then reads the YAML files.
 */
export const BUNDLED_INDEX_FILE = fileURLToPath(new URL('./bundled-index.json', import.meta.url));
