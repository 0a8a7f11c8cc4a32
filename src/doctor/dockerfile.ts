/**
 * A Dockerfile as stages of instructions, each instruction keeping the physical lines it spans so
 * that a finding can point at the exact line of `LD_PRELOAD=` inside a five-line `ENV`. Pure.
 */

interface Segment {
  line: number;
  text: string;
}

export interface Instruction {
  keyword: string;
  /** The arguments, continuation lines joined with a space. */
  args: string;
  line: number;
  segments: Segment[];
}

export interface DockerStage {
  index: number;
  /** `AS name`, lowercased as Docker matches it; null when unnamed. */
  name: string | null;
  /** The image or earlier stage named after FROM, as written. */
  from: string;
  fromLine: number;
  /** The earlier stage this one builds on (`FROM base`), else null. */
  parent: number | null;
  instructions: Instruction[];
}

export interface DockerfileModel {
  stages: DockerStage[];
  /** Stage indexes whose instructions end up in the final image: the last stage and its ancestors. */
  runningStages: Set<number>;
  /** `ARG` values before the first FROM (used in FROM lines). */
  globalArgs: Map<string, string>;
}

export function parseDockerfile(text: string): DockerfileModel {
  const instructions = logicalInstructions(text);
  const stages: DockerStage[] = [];
  const globalArgs = new Map<string, string>();
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const from = substitute(words[0] ?? '', globalArgs);
      const name = words.length >= 3 && words[1]?.toUpperCase() === 'AS' ? (words[2] ?? '').toLowerCase() : null;
      const parentStage = stages.find((stage) => stage.name !== null && stage.name === from.toLowerCase());
      stages.push({ index: stages.length, name, from, fromLine: instruction.line, parent: parentStage?.index ?? null, instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (current === undefined) {
      if (instruction.keyword === 'ARG') for (const pair of keyValuePairs(instruction)) globalArgs.set(pair.name, pair.value);
      continue;
    }
    current.instructions.push(instruction);
  }
  const runningStages = new Set<number>();
  for (let stage = stages.at(-1); stage !== undefined; stage = stage.parent === null ? undefined : stages[stage.parent]) {
    if (runningStages.has(stage.index)) break;
    runningStages.add(stage.index);
  }
  return { stages, runningStages, globalArgs };
}

/** The external image a stage finally builds on (following `FROM earlier-stage`). */
export function baseImageOf(model: DockerfileModel, stage: DockerStage): { image: string; line: number } {
  let current = stage;
  const seen = new Set<number>();
  while (current.parent !== null && !seen.has(current.index)) {
    seen.add(current.index);
    current = model.stages[current.parent]!;
  }
  return { image: current.from, line: current.fromLine };
}

/** `ENV A=1 B="two words"` and the legacy `ENV A 1`; `ARG A=1`. Each pair with its physical line. */
export function keyValuePairs(instruction: Instruction): { name: string; value: string; line: number }[] {
  const args = instruction.args.trim();
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*))?$/.exec(args);
  if (legacy) return [{ name: legacy[1]!, value: unquote((legacy[2] ?? '').trim()), line: lineOf(instruction, legacy[1]!) }];
  const pairs: { name: string; value: string; line: number }[] = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    pairs.push({ name: match[1]!, value: unquote(match[2]!), line: lineOf(instruction, `${match[1]}=`) });
  }
  return pairs;
}

/** The physical line of an instruction whose text contains `needle` (else its first line). */
export function lineOf(instruction: Instruction, needle: string | RegExp): number {
  const found = instruction.segments.find((segment) => (typeof needle === 'string' ? segment.text.includes(needle) : needle.test(segment.text)));
  return found?.line ?? instruction.line;
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function substitute(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => args.get(name) ?? whole);
}

/**
 * Joins continuation lines (a trailing backslash), drops comment lines, and skips heredoc bodies
 * (`RUN <<EOF … EOF`), keeping each instruction's physical lines.
 */
function logicalInstructions(text: string): Instruction[] {
  const physical = text.split(/\r?\n/);
  const result: Instruction[] = [];
  let pending: Segment[] = [];
  let heredoc: string | null = null;
  for (let index = 0; index < physical.length; index++) {
    const raw = physical[index]!;
    const line = index + 1;
    if (heredoc !== null) {
      if (raw.trim() === heredoc) heredoc = null;
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending.length === 0)) continue;
    if (trimmed === '') continue;
    const continues = /\\\s*$/.test(raw);
    pending.push({ line, text: continues ? raw.replace(/\\\s*$/, '') : raw });
    if (continues) continue;
    const joined = pending.map((segment) => segment.text.trim()).join(' ');
    const match = /^([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (match) {
      result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: pending[0]!.line, segments: pending });
      const marker = /<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(match[2]!);
      if (marker && (match[1]!.toUpperCase() === 'RUN' || match[1]!.toUpperCase() === 'COPY')) heredoc = marker[1]!;
    }
    pending = [];
  }
  return result;
}
