import { type Advisory, type AdvisoryBase, type AdvisoryDatabase, type DatabaseSummary, type InterpreterAdvisory, type LoadedDatabase, ignoreKeyOfFile } from './types.js';

/**
 * Merging the databases a check uses (bundled first, then the synced copies and configured folders).
 * An advisory is identified by its file (`gems/<gem>/<id>.yml`): gem and id, never the ignore key
 * `<gem>-<id>`, which two different advisories can share.
 *
 * For one advisory present in several databases:
 * - Ranges: a version is flagged when ANY copy flags it, so a synced copy can never narrow what the
 *   bundled database flags (syncing never makes a check see less); the result keeps every copy.
 * - Except a bundled advisory's `corrects:` entry naming a loaded source: that source's copy is left
 *   out (the bundled range wins), and the result records the correction in force.
 * - A withdrawn copy (`withdrawn:`, not a leak after all) flags nothing; a bundled one withdraws the
 *   source its `corrects:` names as well.
 * - Text (title, url, description, the ranges shown): a later copy takes over only when its facts
 *   (ranges, platform, condition) differ from the copy in place; one that only words it differently
 *   leaves the earlier (bundled) text. `textSource` says where the text came from.
 */

/** A database as merged advisories name it. */
export interface AdvisorySource {
  /** How reports name it: the config name, else `bundled`, the git URL (redacted), or the folder. */
  label: string;
  kind: DatabaseSummary['kind'];
  /** The git URL it was synced from (redacted), when synced. */
  url: string | null;
}

/** One database's copy of a merged advisory. */
export interface AdvisoryCopy<T extends AdvisoryBase = Advisory> {
  source: AdvisorySource;
  advisory: T;
}

/** A bundled `corrects:` entry that narrowed a loaded source's copy of the same advisory. */
export interface CorrectionInForce {
  /** The ignore key (`redis-612`) and the bundled file (`gems/redis/612.yml`). */
  key: string;
  file: string;
  /** The corrected source as the bundled advisory names it. */
  source: string;
  /** The loaded database it matched. */
  corrected: AdvisorySource;
  reason: string;
  /** URL backing the correction. */
  evidence: string;
  /** The corrected copy's ranges, no longer used for matching. */
  replaced: Pick<AdvisoryBase, 'leakyVersions' | 'patchedVersions' | 'unaffectedVersions'>;
}

/**
 * An advisory after merging: the fields are those of the copy the text comes from (what reports show),
 * plus where it came from. Matching goes through `copies` (src/audit/match.ts `isAffected`, `flaggedBy`).
 */
export type Merged<T extends AdvisoryBase> = T & {
  /** Every database that has this advisory file, in merge order (corrected ones included). */
  sources: AdvisorySource[];
  /** The copies used for matching (a corrected copy is not among them): flagged when any flags. */
  copies: AdvisoryCopy<T>[];
  /** Where the text (title, url, description, ranges shown) comes from. */
  textSource: AdvisorySource;
  /** Corrections in force for this advisory (usually none). */
  corrections: CorrectionInForce[];
};
export type MergedAdvisory = Merged<Advisory>;
export type MergedInterpreterAdvisory = Merged<InterpreterAdvisory>;

export interface MergedDatabases {
  /** Gem advisories, sorted by gem and id. */
  advisories: MergedAdvisory[];
  /** Interpreter advisories, sorted by engine and id. */
  interpreterAdvisories: MergedInterpreterAdvisory[];
  /**
   * Distinct advisory files across the databases that are usable in at least one of them (the "N
   * advisories" a check ran against): a file known to be broken everywhere it is does not count.
   */
  total: number;
  /** Every correction in force, for `db status` and reports. */
  corrections: CorrectionInForce[];
  /** Ignore keys that name more than one advisory across the databases, with the files. */
  ambiguousKeys: { key: string; files: string[] }[];
}

/** Merges loaded databases in order (bundled first). Pure: no I/O. */
export function mergeDatabases(loaded: readonly LoadedDatabase[]): MergedDatabases {
  const sources = loaded.map(({ summary, database }) => ({ source: sourceOf(summary), database }));
  const files = new Set(loaded.flatMap(({ database }) => database.files));
  const usable = new Set(
    loaded.flatMap(({ database }) => {
      const broken = new Set(database.broken ?? []);
      return database.files.filter((file) => !broken.has(file));
    }),
  );
  const gems = mergeKind(
    sources.map(({ source, database }) => ({ source, advisories: database.advisories })),
    gemFacts,
  );
  const interpreters = mergeKind(
    sources.map(({ source, database }) => ({ source, advisories: database.interpreterAdvisories })),
    interpreterFacts,
  );
  return {
    advisories: gems,
    interpreterAdvisories: interpreters,
    total: usable.size,
    corrections: [...gems, ...interpreters].flatMap((advisory) => advisory.corrections),
    ambiguousKeys: ambiguousKeys(files),
  };
}

/**
 * The older form: databases without their summaries, merged as above, each named by its folder.
 * No correction applies (that needs to know which database is the bundled one): use mergeDatabases.
 */
export function mergeAdvisories(databases: readonly AdvisoryDatabase[]): { advisories: MergedAdvisory[]; total: number } {
  const merged = mergeDatabases(
    databases.map((database) => ({
      database,
      summary: { kind: 'custom', path: database.root, advisories: database.files.length, url: null, commit: null, commitDate: null, syncedAt: null },
    })),
  );
  return { advisories: merged.advisories, total: merged.total };
}

/** How a finding names a database it came from: its config name, its git URL, else its kind or folder. */
export function databaseLabel(summary: DatabaseSummary): string {
  if (summary.name) return summary.name;
  if (summary.kind === 'bundled') return 'bundled';
  if (summary.kind === 'synced') return summary.url ?? 'synced';
  return summary.path;
}

/**
 * The form of a git URL that decides whether a `corrects:` entry names a source: host lower-cased,
 * credentials, scheme, `.git` and trailing slashes dropped; scp-like `git@host:path` read as
 * `host/path`; a local path as it is. So `https://github.com/rubymem/ruby-mem-advisory-db` names
 * `https://github.com/rubymem/ruby-mem-advisory-db.git` and `git@github.com:rubymem/ruby-mem-advisory-db.git`.
 */
export function correctionSourceKey(url: string): string {
  let text = url.trim();
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)(.*)$/.exec(text);
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/)(.*)$/.exec(text);
  if (withScheme) {
    const authority = withScheme[1] ?? '';
    text = `${authority.slice(authority.lastIndexOf('@') + 1).toLowerCase()}${withScheme[2] ?? ''}`;
  } else if (scp && !/^[A-Za-z]:[\\/]/.test(text)) {
    text = `${(scp[1] ?? '').toLowerCase()}/${scp[2] ?? ''}`;
  }
  return text
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

function sourceOf(summary: DatabaseSummary): AdvisorySource {
  return { label: databaseLabel(summary), kind: summary.kind, url: summary.url };
}

/** What must agree for a later copy's text not to take over: the facts a check acts on. */
type Facts<T> = (advisory: T) => string;

const rangeFacts = (advisory: AdvisoryBase) =>
  (advisory.withdrawn ? 'withdrawn#' : '') + [advisory.leakyVersions, advisory.patchedVersions, advisory.unaffectedVersions].map((list) => list.map(normalizeRequirement).sort().join('|')).join('#');
const gemFacts: Facts<Advisory> = (advisory) => `${rangeFacts(advisory)}#${advisory.platform ?? ''}`;
const interpreterFacts: Facts<InterpreterAdvisory> = (advisory) => `${rangeFacts(advisory)}#${advisory.appliesWhen?.condition ?? ''}`;

function normalizeRequirement(text: string): string {
  return text
    .split(',')
    .map((part) => part.replace(/\s+/g, ''))
    .sort()
    .join(',');
}

function mergeKind<T extends Advisory | InterpreterAdvisory>(sources: readonly { source: AdvisorySource; advisories: readonly T[] }[], facts: Facts<T>): Merged<T>[] {
  const byFile = new Map<string, AdvisoryCopy<T>[]>();
  for (const { source, advisories } of sources) {
    for (const advisory of advisories) {
      const copies = byFile.get(advisory.file);
      if (copies) copies.push({ source, advisory });
      else byFile.set(advisory.file, [{ source, advisory }]);
    }
  }
  const merged = [...byFile.values()].map((copies) => mergeCopies(copies, facts));
  const folder = (advisory: T) => ('gem' in advisory ? advisory.gem : advisory.engine);
  return merged.sort((a, b) => compareText(folder(a), folder(b)) || compareText(a.id, b.id));
}

function mergeCopies<T extends AdvisoryBase>(all: AdvisoryCopy<T>[], facts: Facts<T>): Merged<T> {
  const corrections: CorrectionInForce[] = [];
  const bundled = all.find((copy) => copy.source.kind === 'bundled');
  const copies = all.filter((copy) => {
    if (bundled === undefined || copy === bundled || copy.source.url === null) return true;
    const entry = (bundled.advisory.corrects ?? []).find((correction) => correctionSourceKey(correction.source) === correctionSourceKey(copy.source.url as string));
    // A correction narrows only a copy that says something else; one that agrees is simply used.
    if (entry === undefined || facts(copy.advisory) === facts(bundled.advisory)) return true;
    corrections.push({
      key: ignoreKeyOfFile(bundled.advisory.file),
      file: bundled.advisory.file,
      source: entry.source,
      corrected: copy.source,
      reason: entry.reason,
      evidence: entry.evidence,
      replaced: { leakyVersions: copy.advisory.leakyVersions, patchedVersions: copy.advisory.patchedVersions, unaffectedVersions: copy.advisory.unaffectedVersions },
    });
    return false;
  });
  // The bundled copy always stays among `copies` (only other sources' copies are corrected).
  let text = (copies[0] ?? all[0]) as AdvisoryCopy<T>;
  for (const copy of copies.slice(1)) if (facts(copy.advisory) !== facts(text.advisory)) text = copy;
  return { ...text.advisory, sources: all.map((copy) => copy.source), copies, textSource: text.source, corrections };
}

function ambiguousKeys(files: ReadonlySet<string>): { key: string; files: string[] }[] {
  const byKey = new Map<string, string[]>();
  for (const file of files) {
    const key = ignoreKeyOfFile(file);
    byKey.set(key, [...(byKey.get(key) ?? []), file]);
  }
  return [...byKey]
    .filter(([, list]) => list.length > 1)
    .map(([key, list]) => ({ key, files: list.sort(compareText) }))
    .sort((a, b) => compareText(a.key, b.key));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
