import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak db`. (Filled in by its own issue.) */
export function registerDb(_program: Command, _context: CommandContext): void {}
