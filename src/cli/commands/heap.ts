import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Declares `gemleak heap`. (Filled in by its own issue.) */
export function registerHeap(_program: Command, _context: CommandContext): void {}
