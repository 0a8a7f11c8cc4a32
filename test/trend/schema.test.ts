import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SKIP_NO_SHARED, hasShared, repoRoot, sharedRoot } from '../helpers/paths.js';

async function trendValidator() {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'trend-result.schema.json'), 'utf8')) as Record<string, unknown>;
  const Ajv2020 = (await import('ajv/dist/2020.js')).default.default;
  const addFormats = (await import('ajv-formats')).default.default;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'trend');

describe('--format json: validated against schemas/trend-result.schema.json', () => {
  it.each(['garbage.ps.txt', 'mixed-units.heroku.log', 'out-of-order.csv', 'objects-leak.gcstat.jsonl', 'one-sample.derailed.txt'])('%s', async (name) => {
    const validate = await trendValidator();
    const run = runCli(['trend', path.join(fixtures, name), '--format', 'json', '--limit', '1GiB', '--requests', '1000']);
    const document = JSON.parse(run.stdout);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });

  it.skipIf(!hasShared)(`every labelled series ${hasShared ? '' : SKIP_NO_SHARED}`, async () => {
    const validate = await trendValidator();
    const labels = JSON.parse(readFileSync(path.join(sharedRoot, 'memseries', 'labels.json'), 'utf8')) as Array<{ file: string }>;
    const run = runCli(['trend', ...labels.map((label) => path.join(sharedRoot, 'memseries', label.file)), '--format', 'json', '--limit', '512MiB']);
    const document = JSON.parse(run.stdout);
    expect(document.series.length).toBeGreaterThan(labels.length);
    expect(document.series.some((one: { lives: unknown[] }) => one.lives.length > 0)).toBe(true);
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });
});
