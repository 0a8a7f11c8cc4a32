import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak update`. (Filled in by its own issue.) */
export function registerUpdate(_program: Command, _context: CommandContext): void {}
