#!/usr/bin/env node
// `npm run lint`, part of `npm test`: Biome (formatting and lint rules) over the whole tree, then knip
// (unused files, exports and dependencies). knip 6 needs Node >= 20.19; on an older Node 20 (which
// gemleak itself supports) it is skipped with a note rather than failing the suite.
import { spawnSync } from 'node:child_process';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
const biome = run('npx', ['--no-install', 'biome', 'check', '.']);
if (biome.status !== 0) process.exit(biome.status ?? 1);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major === 20 && minor < 19) {
  console.log(`lint: knip skipped (it needs Node >= 20.19; this is ${process.versions.node})`);
  process.exit(0);
}
const knip = run('npx', ['--no-install', 'knip']);
process.exit(knip.status ?? 1);
