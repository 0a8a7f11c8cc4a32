export { detectRubyVersion, type DetectRubyVersionOptions } from './detect.js';
export { parseRubyVersionText, rubyVersionFromDockerfile, rubyVersionFromDotFile, rubyVersionFromGemfile, rubyVersionFromLockfile, rubyVersionFromMise, rubyVersionFromToolVersions } from './parse.js';
export { appRoot, readAppFile, walkAppFiles, appFileExists, displayPath, MAX_APP_FILE_BYTES, MAX_LOCKFILE_BYTES, type AppRoot, type AppFileRead } from './app-files.js';
export type { RubyEngine, RubyVersionDetection, RubyVersionSource, RubyVersionSourceKind } from './types.js';
