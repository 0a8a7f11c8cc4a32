#!/usr/bin/env node
// Build step: validate the bundled advisories (strictly: a broken one fails the build) and write them
// as one JSON file beside the compiled loader, so `gemleak check` never loads the YAML parser for
// the database it ships with.
import { writeFileSync } from 'node:fs';
import { loadAdvisoryDatabase } from '../dist/advisories/load.js';
import { BUNDLED_DATABASE_ROOT, BUNDLED_INDEX_FILE } from '../dist/advisories/bundled.js';
import { serializeAdvisoryIndex } from '../dist/advisories/index-file.js';

const database = await loadAdvisoryDatabase(BUNDLED_DATABASE_ROOT, { strict: true });
writeFileSync(BUNDLED_INDEX_FILE, serializeAdvisoryIndex(database));
