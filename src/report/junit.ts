import { ignoreKey } from '../advisories/types.js';
import type { CheckResult, CheckedGem, Finding, LockfileAudit } from '../audit/types.js';
import { compareText, describeWarning, findingHeadline, fixSentence, leakySentence, oneLine, platformSentence, suppressionText, writtenAt } from './describe.js';
import type { ReportContext } from './index.js';
import { describeDatabase } from './describe.js';

/**
 * JUnit XML for CI systems that show test reports (GitLab, Jenkins, CircleCI): one test suite per
 * lockfile, one test case per gem version it locks (so passing gems make trend graphs meaningful),
 * a `<failure>` for a gem with a leak that fails the run, `<skipped>` for one whose findings are all
 * ignored.
 */
export function renderJunit(result: CheckResult, context: ReportContext): string {
  const timestamp = context.now.toISOString().slice(0, 19);
  const suites = result.audits.map((audit) => suite(audit, result, timestamp, context));
  const totals = suites.reduce((sum, s) => ({ tests: sum.tests + s.tests, failures: sum.failures + s.failures, skipped: sum.skipped + s.skipped }), { tests: 0, failures: 0, skipped: 0 });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gemleak" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}" time="0">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  skipped: number;
}

function suite(audit: LockfileAudit, result: CheckResult, timestamp: string, context: ReportContext): Suite {
  const name = context.repoPath(audit.lockfile);
  const byGem = new Map<string, Finding[]>();
  for (const finding of audit.findings) {
    const key = `${finding.gem} (${finding.version})`;
    byGem.set(key, [...(byGem.get(key) ?? []), finding]);
  }
  // Every gem checked; a result without the list (older callers) still lists the gems with findings.
  const gems: CheckedGem[] = audit.gems ?? audit.findings.map((finding) => ({ name: finding.gem, version: finding.version, line: finding.line }));
  const seen = new Set<string>();
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const gem of [...gems].sort((a, b) => compareText(a.name, b.name) || compareText(a.version, b.version))) {
    const key = `${gem.name} (${gem.version})`;
    if (seen.has(key)) continue;
    seen.add(key);
    const findings = byGem.get(key) ?? [];
    const active = findings.filter((finding) => !finding.suppressed);
    const ignored = findings.filter((finding) => finding.suppressed);
    const open = `<testcase classname="${xml(name)}" name="${xml(key)}" file="${xml(name)}" line="${gem.line}" time="0"`;
    if (active.length > 0) {
      failures += 1;
      const body = [...active.map(failureText), ...ignored.map((finding) => `Ignored ${ignoreKey(finding.advisory)}: ${suppressionText(finding)}`)].join('\n\n');
      cases.push(
        `    ${open}>\n      <failure message="${xml(active.map((finding) => findingHeadline(finding)).join(' '))}" type="${xml(active.map((finding) => ignoreKey(finding.advisory)).join(' '))}">${xml(body)}</failure>\n    </testcase>`,
      );
    } else if (ignored.length > 0) {
      skipped += 1;
      const message = ignored.map((finding) => `ignored ${ignoreKey(finding.advisory)}: ${suppressionText(finding)}`).join('; ');
      cases.push(`    ${open}>\n      <skipped message="${xml(message)}"/>\n    </testcase>`);
    } else {
      cases.push(`    ${open}/>`);
    }
  }
  const warnings = result.warnings.filter((warning) => warning.file === audit.lockfile);
  const properties = [
    property('gemleak.version', result.gemleakVersion),
    property('advisories', String(result.advisoryCount)),
    ...result.databases.map((database) => property('database', describeDatabase(database))),
  ];
  const xmlText = [
    `  <testsuite name="${xml(name)}" tests="${seen.size}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${timestamp}" time="0">`,
    '    <properties>',
    ...properties,
    '    </properties>',
    ...cases,
    ...(warnings.length === 0 ? [] : [`    <system-err>${xml(warnings.map(describeWarning).join('\n'))}</system-err>`]),
    '  </testsuite>',
  ].join('\n');
  return { xml: xmlText, tests: seen.size, failures, skipped };
}

function failureText(finding: Finding): string {
  return [
    findingHeadline(finding),
    `Severity: ${finding.severity}.`,
    leakySentence(finding),
    fixSentence(finding),
    platformSentence(finding),
    `Advisory: ${finding.advisory.url}`,
    `Lockfile: ${finding.lockfile}`,
    `Written at: ${writtenAt(finding)}`,
    oneLine(finding.advisory.description),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function property(name: string, value: string): string {
  return `      <property name="${xml(name)}" value="${xml(value)}"/>`;
}

/**
 * Escapes `& < > " '` and drops the characters XML 1.0 cannot hold at all. Tabs and line breaks
 * become character references, so that an attribute keeps them (a parser turns a raw one into a space).
 */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\t\n\r]/g, (char) => `&#${char.charCodeAt(0)};`);
}
