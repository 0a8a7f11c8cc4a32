import { summarizeCheck } from '../../src/audit/summary.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Advisory } from '../../src/advisories/types.js';
import type { CheckResult, Finding, LockfileAudit } from '../../src/audit/types.js';
import type { ReportContext } from '../../src/report/index.js';
import { hasShared, repoRoot, sharedRoot } from '../helpers/paths.js';

/** Shared fixtures for the reporter tests: a result built by hand, so each test can bend it. */

export function advisory(gem: string, id: string, fields: Partial<Advisory> = {}): Advisory {
  return {
    id,
    gem,
    url: `https://github.com/example/${gem}/issues/${id}`,
    title: `${gem} keeps every request alive`,
    date: '2020-02-03',
    description: `${gem} holds on to memory.\nSecond line.`,
    leakyVersions: ['= 3.2.2', '= 3.3.0'],
    patchedVersions: ['>= 3.3.1'],
    unaffectedVersions: [],
    platform: null,
    framework: null,
    related: [],
    file: `gems/${gem}/${id}.yml`,
    ...fields,
  };
}

export function finding(gem: string, version: string, lockfile: string, line: number, fields: Partial<Finding> = {}): Finding {
  const adv = fields.advisory ?? advisory(gem, '612');
  return {
    gem,
    version,
    platforms: ['ruby'],
    lockfile,
    line,
    advisory: adv,
    severity: 'high',
    fix: {
      patchedVersions: adv.patchedVersions,
      minimumSafeVersion: adv.patchedVersions.length > 0 ? '3.3.1' : null,
      command: `bundle update ${gem}`,
      safeVersions: adv.patchedVersions.length > 0 ? ['>= 3.3.1'] : [],
      blockers: [],
      directory: null,
      gemfile: null,
      runnable: `bundle update ${gem}`,
    },
    ...fields,
  };
}

export function audit(lockfile: string, findings: Finding[], gems: { name: string; version: string; line: number }[]): LockfileAudit {
  return { lockfile, gemsChecked: gems.length, gems, findings, warnings: [] };
}

export function result(audits: LockfileAudit[], fields: Partial<CheckResult> = {}): CheckResult {
  const summary = summarizeCheck(audits, fields.advisoryCount ?? 14);
  return {
    gemleakVersion: '0.1.0',
    audits,
    summary,
    exitCode: summary.leaks > 0 ? 1 : 0,
    databases: [{ kind: 'bundled', path: '/opt/gemleak/advisories', advisories: 14, url: null, commit: null, commitDate: null, syncedAt: null }],
    advisoryCount: 14,
    warnings: [],
    config: null,
    ignores: [],
    ...fields,
  };
}

/** Lockfiles in a subfolder of the working directory, mapped to their path from the repository top. */
export const context: ReportContext = {
  color: false,
  verbose: false,
  quiet: false,
  appName: 'app',
  repoPath: (file) => `monorepo/${file}`,
  now: new Date('2025-06-15T08:30:00Z'),
};

const sarifSchemaPath = path.join(sharedRoot, 'schemas', 'sarif-schema-2.1.0.json');
export const hasSarifSchema = hasShared && existsSync(sarifSchemaPath);
const checkResultSchemaPath = path.join(repoRoot, 'schemas', 'check-result.schema.json');

/**
 * A validator for the official SARIF 2.1.0 schema. That schema is JSON Schema draft-04, which Ajv 8
 * only reads through the separate `ajv-draft-04` class; the schema uses no draft-04 keyword whose
 * meaning changed in draft-07 except its top-level `id` (checked below), so it is validated with
 * Ajv's draft-07 class after renaming that `id` to `$id`.
 */
export async function sarifValidator() {
  const schema = JSON.parse(readFileSync(sarifSchemaPath, 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify(schema);
  if (schema.$schema !== 'http://json-schema.org/draft-04/schema#' || /"exclusive(Minimum|Maximum)"\s*:\s*(true|false)/.test(text)) {
    throw new Error('the SARIF schema is not the draft-04 file this conversion was written for');
  }
  const { id, $schema: _draft, ...rest } = schema;
  const Ajv = (await import('ajv')).default.default;
  const addFormats = (await import('ajv-formats')).default.default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: String(id) });
}

export async function checkResultValidator() {
  const schema = JSON.parse(readFileSync(checkResultSchemaPath, 'utf8')) as Record<string, unknown>;
  const Ajv2020 = (await import('ajv/dist/2020.js')).default.default;
  const addFormats = (await import('ajv-formats')).default.default;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
