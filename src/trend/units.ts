/**
 * Sizes and durations as people write them: `512MiB`, `1.5GB`, `5s`, `10m`. Pure.
 * Memory units follow what the tools that write them mean: ps and /proc say kB for KiB, Heroku
 * writes MB for MiB, so decimal and binary names both read as powers of 1024.
 */

const MIB = 1024 * 1024;

/** Bytes per unit, lower-cased, without a trailing `b` ambiguity: `k`, `kb`, `kib` are all KiB. */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MIB,
  mb: MIB,
  mib: MIB,
  g: 1024 * MIB,
  gb: 1024 * MIB,
  gib: 1024 * MIB,
};

const SIZE = /^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*$/;

/** `512MiB` → bytes; a bare number is in units of `defaultUnitBytes`. Null when it is not a size. */
export function parseSize(text: string, defaultUnitBytes: number): number | null {
  // The common case, a bare number, without the regular expression (a million lines, a second).
  const bare = Number(text);
  if (Number.isFinite(bare) && text.trim() !== '' && !/[a-z]/i.test(text)) return bare * defaultUnitBytes;
  const match = SIZE.exec(text);
  if (match === null) return null;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return null;
  if (match[2] === '') return value * defaultUnitBytes;
  const unit = SIZE_UNITS[match[2]!.toLowerCase()];
  return unit === undefined ? null : value * unit;
}

/** Bytes per unit for `--unit` and for column headers such as `rss_kb`. */
export function unitBytes(name: string): number | null {
  return SIZE_UNITS[name.toLowerCase()] ?? null;
}

export function bytesToMib(bytes: number): number {
  return bytes / MIB;
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86_400 };

/** `5s`, `10m`, `1.5h`, `250ms`, or bare seconds → seconds. Null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return null;
  const unit = match[2] === '' ? 1 : DURATION_UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const seconds = Number(match[1]) * unit;
  return Number.isFinite(seconds) ? seconds : null;
}

/** `42 s`, `3.5 min`, `2.1 h`, `4.0 days`: a duration for people. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 120) return `${round(seconds, abs < 10 ? 1 : 0)} s`;
  if (abs < 7200) return `${round(seconds / 60, 1)} min`;
  if (abs < 172_800) return `${round(seconds / 3600, 1)} h`;
  return `${round(seconds / 86_400, 1)} days`;
}

function round(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0$/, '');
}
