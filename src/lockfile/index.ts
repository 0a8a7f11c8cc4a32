export { parseLockfile } from './parse.js';
export { decodeLockfile } from './decode.js';
export { parseLockfileBytes } from './from-bytes.js';
export { readLockfile, resolveLockfilePath } from './read.js';
export type {
  Lockfile,
  LockfileDependency,
  SpecSource,
} from './types.js';
