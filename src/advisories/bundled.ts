import { fileURLToPath } from 'node:url';

/** The database shipped in the package (`advisories/` at the package root), used when no other is chosen. */
export const BUNDLED_DATABASE_ROOT = fileURLToPath(new URL('../../advisories', import.meta.url));
