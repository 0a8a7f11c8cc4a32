import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gemleakBin, runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/fixtures.js';

const ESC = '\u001b[';
const sample = path.join(repoRoot, 'examples', 'Gemfile.lock');
const hasScript = existsSync('/usr/bin/script');

describe('colours', () => {
  it('none when stdout is not a terminal', () => {
    const run = runCli(['check', sample], { env: { NO_COLOR: '' } });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR turns them on, NO_COLOR wins over it', () => {
    expect(runCli(['check', sample], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stdout).toContain(`${ESC}31m`);
    expect(runCli(['check', sample], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } }).stdout).not.toContain(ESC);
  });

  it('never in a file written with --output, even when forced', () => {
    const dir = tempDir();
    try {
      const out = path.join(dir, 'report.txt');
      runCli(['check', sample, '--output', out], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('redis 3.3.0');
      expect(text).not.toContain(ESC);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasScript)(`on a real terminal, and not with NO_COLOR there ${hasScript ? '' : '(skipped: util-linux script is absent)'}`, () => {
    const onTty = (env: Record<string, string>) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${gemleakBin}" check "${sample}"`, '/dev/null'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', ...env },
      }).stdout;
    expect(onTty({})).toContain(`${ESC}31m`);
    expect(onTty({ NO_COLOR: '1' })).not.toContain(ESC);
  });
});
