import { createHash } from 'node:crypto';
import type { DoctorFinding, DoctorResult } from '../doctor/types.js';
import { type DoctorReportContext, location } from './doctor-format.js';
import { pathToUriReference } from './escape.js';
import { sarifLog } from './sarif.js';

const LEVEL: Record<DoctorFinding['severity'], 'error' | 'warning' | 'note' | 'none'> = { high: 'error', medium: 'warning', low: 'note', info: 'none' };

/**
 * SARIF 2.1.0: one rule per finding rule, one result per finding at its file and line (a finding
 * of a live process has no location). Facts (`info`) are level `none`, so code scanning shows them
 * without alerting.
 */
export function renderDoctorSarif(result: DoctorResult, context: DoctorReportContext): string {
  const rules = new Map<string, { index: number; finding: DoctorFinding }>();
  for (const finding of result.findings) if (!rules.has(finding.rule)) rules.set(finding.rule, { index: rules.size, finding });
  return sarifLog({
    version: result.gemleakVersion,
    rules: [...rules.values()].map(({ finding }) => ({
      id: finding.rule,
      shortDescription: { text: finding.rule },
      defaultConfiguration: { level: LEVEL[finding.severity] },
      ...(finding.url !== null && URL.canParse(finding.url) ? { helpUri: finding.url } : {}),
      properties: { tags: ['memory', 'performance', 'ruby', finding.category] },
    })),
    category: 'gemleak-doctor/',
    notifications: result.warnings.map((warning) => `${location(warning.file ?? null, warning.line ?? null)}${warning.file ? ': ' : ''}${warning.message}`),
    results: result.findings.map((finding) => {
      const uri = finding.file === null ? null : context.repoPath(finding.file);
      const fix = finding.fix === null ? '' : ` Fix${finding.fixWhere === null ? '' : ` (${finding.fixWhere})`}:\n${finding.fix}`;
      return {
        ruleId: finding.rule,
        ruleIndex: rules.get(finding.rule)!.index,
        level: LEVEL[finding.severity],
        message: { text: `${finding.message}.${fix}` },
        ...(uri === null
          ? {}
          : {
              locations: [{ physicalLocation: { artifactLocation: { uri: pathToUriReference(uri) }, ...(finding.line === null || finding.line < 1 ? {} : { region: { startLine: finding.line } }) } }],
              partialFingerprints: { primaryLocationLineHash: createHash('sha256').update(`${finding.rule}:${uri}:${finding.message}`).digest('hex') },
            }),
      };
    }),
    properties: { verdict: result.verdict, root: result.root },
  });
}
