/**
 * What `gemleak check` needs after the command line is parsed, as one module: the entry of the
 * dist/bin/check.js bundle (scripts/bundle.mjs explains why). The CLI's `import()`s of these
 * modules load that bundle; nothing imports this file in the sources.
 */
export { runCheckCommand } from './run.js';
export { decodeLockfile, startsWithUtf8Bom } from '../../lockfile/decode.js';
export { byteOrderMarkWarning, parseLockfile } from '../../lockfile/parse.js';
