import { GemleakError } from '../errors.js';
import type { SpecSource } from './types.js';

/** One `  key: value` line of a source section. A key may repeat (a GEM section with several remotes). */
export interface OptionLine {
  value: string;
  line: number;
}

type Options = ReadonlyMap<string, readonly OptionLine[]>;
type GitSource = Extract<SpecSource, { type: 'git' }>;

const HEADERS: Record<SpecSource['type'], string> = { gem: 'GEM', git: 'GIT', path: 'PATH', plugin: 'PLUGIN SOURCE' };
const GIT_OPTIONAL_KEYS = ['ref', 'branch', 'tag', 'glob'] as const;

/**
 * Turns the options read above `  specs:` into the source every spec below it shares. Unknown keys are
 * ignored, as Bundler ignores them: a newer Bundler may add options that do not change what is locked.
 */
export function buildSource(type: SpecSource['type'], options: Options, headerLine: number, file: string): SpecSource {
  const reader = new OptionReader(HEADERS[type], options, headerLine, file);
  switch (type) {
    case 'gem':
      // Bundler before 2.2.10 merged every rubygems source into one GEM section with several remotes.
      return { type, remotes: reader.all('remote') };
    case 'git':
      return gitSource(reader);
    case 'path':
      return { type, path: reader.required('remote'), ...present('glob', reader.value('glob')) };
    case 'plugin':
      return { type, remote: reader.required('remote'), ...present('plugin', reader.value('type')), options: reader.rest(['remote', 'type']) };
  }
}

function gitSource(reader: OptionReader): GitSource {
  const source: GitSource = { type: 'git', remote: reader.required('remote'), revision: reader.required('revision') };
  for (const key of GIT_OPTIONAL_KEYS) {
    const value = reader.value(key);
    if (value !== undefined) source[key] = value;
  }
  const submodules = reader.value('submodules');
  if (submodules !== undefined) source.submodules = submodules === 'true';
  return source;
}

/** Optional fields are left out rather than set to undefined, so JSON output and equality stay clean. */
function present(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

class OptionReader {
  constructor(
    private readonly header: string,
    private readonly options: Options,
    private readonly headerLine: number,
    private readonly file: string,
  ) {}

  all(key: string): string[] {
    return (this.options.get(key) ?? []).map((option) => option.value);
  }

  required(key: string): string {
    const value = this.value(key);
    if (value === undefined) {
      throw new GemleakError('LOCKFILE_BAD_SECTION', `the ${this.header} section has no "${key}:" line; expected "${key}: ..." above "  specs:"`, {
        file: this.file,
        line: this.headerLine,
      });
    }
    return value;
  }

  /** Options other than `except`, first value of each (plugin sources define their own keys). */
  rest(except: readonly string[]): Record<string, string> {
    const rest: Record<string, string> = {};
    for (const [key, lines] of this.options) {
      const first = lines[0];
      if (!except.includes(key) && first !== undefined) rest[key] = first.value;
    }
    return rest;
  }

  /** The option's value; a key that may appear once and appears twice is an error. */
  value(key: string): string | undefined {
    const lines = this.options.get(key) ?? [];
    const [first, second] = lines;
    if (first !== undefined && second !== undefined) {
      throw new GemleakError('LOCKFILE_BAD_SECTION', `the ${this.header} section has a second "${key}:" line (the first is on line ${first.line}); expected one`, {
        file: this.file,
        line: second.line,
      });
    }
    return first?.value;
  }
}
