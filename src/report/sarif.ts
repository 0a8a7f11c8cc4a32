import { createHash } from 'node:crypto';
import { type Advisory, ignoreKey, severityOf } from '../advisories/types.js';
import type { CheckResult, Finding } from '../audit/types.js';
import { allFindings, describeWarning, findingHeadline, fixSentence, leakySentence, oneLine, platformSentence, sortFindings, specText, suppressionText, whereWritten } from './describe.js';
import type { ReportContext } from './index.js';
import { pathToUriReference, safeHttpUrl } from './escape.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF's descriptions are capped at 1024 characters by GitHub. */
const MAX_DESCRIPTION = 1024;

/**
 * SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`): one rule per advisory
 * found, one result per finding located at its spec line in the lockfile, with a fingerprint that
 * does not change when lines move and a suppression for each ignored finding. A clean run still
 * has its run, with no rules and no results, so that uploading it closes earlier alerts.
 */
export function renderSarif(result: CheckResult, context: ReportContext): string {
  const findings = sortFindings(allFindings(result));
  const rules = new Map<string, { index: number; advisory: Advisory }>();
  for (const finding of findings) {
    const id = ruleId(finding.advisory);
    if (!rules.has(id)) rules.set(id, { index: rules.size, advisory: finding.advisory });
  }
  const lockfiles = result.audits.map((audit) => context.repoPath(audit.lockfile));
  return sarifLog({
    version: result.gemleakVersion,
    rules: [...rules.values()].map(({ advisory }) => rule(advisory)),
    // The category: a single lockfile gets its own, so one upload per lockfile (a job matrix)
    // does not close the others' alerts; a run over several lockfiles is one analysis.
    category: lockfiles.length === 1 ? `gemleak/${lockfiles[0]}/` : 'gemleak/',
    notifications: result.warnings.map(describeWarning),
    results: findings.map((finding) => sarifResult(finding, rules.get(ruleId(finding.advisory))?.index ?? 0, context)),
    properties: {
      lockfiles: result.audits.map((audit) => ({ path: context.repoPath(audit.lockfile), gemsChecked: audit.gemsChecked })),
      advisories: result.advisoryCount,
      databases: result.databases.map((database) => ({
        kind: database.kind,
        name: database.name ?? null,
        path: database.path,
        advisories: database.advisories,
        url: database.url,
        commit: database.commit,
        commitDate: database.commitDate,
        syncedAt: database.syncedAt,
      })),
      ignores: (result.ignores ?? []).map(({ id, reason, until, source, status }) => ({ id, reason, until, source, status })),
    },
  });
}

/** What differs between the SARIF logs of `check` and `doctor`: the one run of each. */
export interface SarifRun {
  version: string;
  rules: unknown[];
  /** automationDetails.id: the analysis a code-scanning upload replaces. */
  category: string;
  /** Warnings of the run, as one-line texts. */
  notifications: string[];
  results: unknown[];
  properties: Record<string, unknown>;
}

/** A SARIF 2.1.0 log of one gemleak run, as both `check` and `doctor` write it. */
export function sarifLog(run: SarifRun): string {
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gemleak', semanticVersion: run.version, rules: run.rules } },
        automationDetails: { id: run.category },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: run.notifications.map((text) => ({ level: 'warning', message: { text } })) }],
        results: run.results,
        properties: run.properties,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Stable across runs and the id users write in `[[ignore]]`: `redis-612`. */
function ruleId(advisory: Advisory): string {
  return ignoreKey(advisory);
}

function rule(advisory: Advisory) {
  const id = ruleId(advisory);
  const title = oneLine(advisory.title) || `${advisory.gem} has a known memory leak`;
  const description = oneLine(advisory.description) || title;
  const ranges = [
    advisory.leakyVersions.length > 0 ? `Leaky versions: ${advisory.leakyVersions.join('; ')}` : '',
    advisory.patchedVersions.length > 0 ? `Patched versions: ${advisory.patchedVersions.join('; ')}` : 'No patched version is known.',
  ].filter((line) => line !== '');
  const ignore = ['[[ignore]]', `id = "${id}"`, 'reason = "why this leak does not matter here"', '# until = YYYY-MM-DD   (optional: the last day the ignore holds)'];
  return {
    id,
    shortDescription: { text: truncate(`${advisory.gem}: ${title}`) },
    fullDescription: { text: truncate(description) },
    help: {
      text: [advisory.description.trim() || title, '', ...ranges, `Advisory: ${advisory.url}`, '', 'To accept this leak on purpose, add to .gemleak.toml:', ...ignore].join('\n'),
      markdown: [
        advisory.description.trim() || title,
        '',
        ...ranges.map((line) => `- ${line}`),
        `- Advisory: ${markdownUrl(advisory.url)}`,
        '',
        'To accept this leak on purpose, add to `.gemleak.toml`:',
        '',
        '```toml',
        ...ignore,
        '```',
      ].join('\n'),
    },
    ...(safeHttpUrl(advisory.url) === null ? {} : { helpUri: safeHttpUrl(advisory.url) }),
    defaultConfiguration: { level: SARIF_LEVEL[severityOf(advisory)] },
    properties: {
      tags: ['memory-leak', 'performance', 'ruby'],
      precision: 'high',
      'problem.severity': SARIF_LEVEL[severityOf(advisory)] === 'note' ? 'recommendation' : SARIF_LEVEL[severityOf(advisory)],
    },
  };
}

/** How SARIF viewers rank a finding: high (grows with normal use) is an error, low (rare conditions) a note. */
const SARIF_LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note' };

function sarifResult(finding: Finding, ruleIndex: number, context: ReportContext) {
  const file = context.repoPath(whereWritten(finding).file);
  // A uri-reference: a space, `#` or `%` in a folder name must be percent-encoded.
  const uri = pathToUriReference(file);
  const id = ruleId(finding.advisory);
  const text = [findingHeadline(finding), leakySentence(finding), fixSentence(finding), platformSentence(finding)].filter((part) => part !== '').join(' ');
  return {
    ruleId: id,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    message: { text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          region: finding.interpreter ? { startLine: whereWritten(finding).line } : { startLine: finding.line, startColumn: 5, endLine: finding.line, endColumn: 5 + specText(finding).length },
        },
      },
    ],
    // Not the line: the alert must survive the lockfile being reordered, and close when the version changes.
    partialFingerprints: { primaryLocationLineHash: fingerprint(id, file, finding.gem, finding.version) },
    ...(finding.suppressed ? { suppressions: [{ kind: 'external', status: 'accepted', justification: suppressionText(finding) }] } : {}),
    properties: { gem: finding.gem, version: finding.version, platforms: finding.platforms, severity: finding.severity, sources: finding.sources ?? [] },
  };
}

export function fingerprint(ruleId: string, lockfile: string, gem: string, version: string): string {
  return createHash('sha256').update(`${ruleId}:${lockfile}:${gem}:${version}`).digest('hex');
}

/** An advisory URL in the rule's Markdown help: an autolink when it is a plain http(s) URL, else inert text. */
function markdownUrl(url: string): string {
  const safe = safeHttpUrl(url);
  return safe === null ? `\`${url.replace(/[`\s]+/g, ' ')}\`` : `<${safe}>`;
}

function truncate(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}
