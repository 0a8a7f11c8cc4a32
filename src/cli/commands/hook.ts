import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak hook`. (Filled in by its own issue.) */
export function registerHook(_program: Command, _context: CommandContext): void {}
