export { detectRubyVersion } from './detect.js';
export { rubyVersionFromDockerfile, rubyVersionFromDotFile, rubyVersionFromGemfile, rubyVersionFromLockfile, rubyVersionFromMise, rubyVersionFromToolVersions } from './parse.js';
export { appRoot, readAppFile, walkAppFiles, MAX_LOCKFILE_BYTES, type AppRoot } from './app-files.js';
export type { RubyVersionDetection, RubyVersionSource } from './types.js';
