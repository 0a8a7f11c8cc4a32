import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BLOCK_END, BLOCK_START, classifyHook, findBlock, hookBlock, insertBlock, removeBlock, shellQuote } from '../../src/hook/script.js';
import { isLockfileName } from '../../src/hook/staged.js';

const block = hookBlock({ node: '/usr/bin/node', cli: '/opt/gemleak/bin/gemleak.js' });

describe('classifyHook', () => {
  it.each([
    ['#!/bin/sh\n', 'shell'],
    ['#!/bin/bash -e\n', 'shell'],
    ['#! /usr/bin/env bash\n', 'shell'],
    ['#!/usr/bin/env -S sh -e\n', 'shell'],
    ['#!/usr/bin/zsh\n', 'shell'],
    ['#!/bin/dash\n', 'shell'],
    ['#!/usr/bin/env python3\n', 'other'],
    ['#!/usr/bin/ruby\n', 'other'],
    ['#!/usr/bin/env node\n', 'other'],
    ['echo no shebang\n', 'other'],
    ['', 'other'],
  ])('%j is %s', (text, kind) => {
    expect(classifyHook(Buffer.from(text)).kind).toBe(kind);
  });

  it('calls a file with NUL bytes a binary', () => {
    expect(classifyHook(Buffer.from([0x23, 0x21, 0, 1]))).toEqual({ kind: 'other', reason: 'it is a binary file' });
  });
});

describe('insertBlock / removeBlock', () => {
  it.each([['#!/bin/sh\necho one\nexit 0\n'], ['#!/bin/sh\n'], ['#!/bin/sh'], ['#!/bin/bash\n\n\n'], ['#!/bin/sh\necho "no final newline"']])(
    'puts the block right after the #! line and takes it out exactly: %j',
    (original) => {
      const installed = insertBlock(original, block);
      expect(installed.split('\n')[1]).toBe(BLOCK_START);
      const position = findBlock(installed);
      expect(position).not.toBeNull();
      expect(removeBlock(installed, position as { start: number; end: number })).toBe(original);
    },
  );

  it('finds no block in a hook without markers', () => {
    expect(findBlock('#!/bin/sh\necho hi\n')).toBeNull();
  });

  it.each([[`#!/bin/sh\n${BLOCK_START}\necho\n`], [`#!/bin/sh\necho\n${BLOCK_END}\n`], [`#!/bin/sh\n${BLOCK_END}\n${BLOCK_START}\n`], [`#!/bin/sh\n${block}${block}`]])(
    'reports damaged markers instead of guessing: %j',
    (text) => {
      expect(findBlock(text)).toHaveProperty('damaged');
    },
  );

  it('does not take a marker inside a line for a marker', () => {
    expect(findBlock(`#!/bin/sh\necho "${BLOCK_START}"\n`)).toBeNull();
  });
});

describe('the hook block', () => {
  it('is valid POSIX sh', () => {
    const result = spawnSync('sh', ['-n'], { input: `#!/bin/sh\n${block}`, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([['plain'], ["it's"], ['a "b" $c `d` \\e'], ["''"], ['']])('shellQuote round-trips %j through sh', (value) => {
    const result = spawnSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
    expect(result.stdout).toBe(value);
  });
});

describe('isLockfileName', () => {
  it.each([
    ['Gemfile.lock', true],
    ['gems.locked', true],
    ['Gemfile.next.lock', true],
    ['Gemfile_next.lock', true],
    ['apps/api/Gemfile.lock', true],
    ['Gemfile.lock.orig', false],
    ['MyGemfile.lock', false],
    ['gems.locked.bak', false],
    ['Gemfile', false],
    ['package-lock.json', false],
  ])('%s → %s', (name, expected) => {
    expect(isLockfileName(name)).toBe(expected);
  });
});
