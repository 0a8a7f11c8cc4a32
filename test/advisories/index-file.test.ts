import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdvisoryDatabase } from '../../src/advisories/load.js';
import { readAdvisoryIndex, serializeAdvisoryIndex } from '../../src/advisories/index-file.js';
import { BUNDLED_INDEX_FILE } from '../../src/advisories/bundled.js';
import { bundledDatabase } from '../helpers/paths.js';
import { tempDir, writeSmallDatabase } from '../helpers/fixtures.js';

const builtIndex = BUNDLED_INDEX_FILE;

describe('the prebuilt advisory index', () => {
  it('holds exactly what the YAML loader reads from the bundled database', async () => {
    expect(existsSync(builtIndex)).toBe(true);
    const fromYaml = await loadAdvisoryDatabase(bundledDatabase);
    const fromIndex = await readAdvisoryIndex(builtIndex, bundledDatabase, undefined);
    expect(fromIndex).toEqual(fromYaml);
  });

  it('keeps only the gems asked for, and all keys', async () => {
    const root = tempDir();
    writeSmallDatabase(root);
    const file = path.join(root, 'index.json');
    writeFileSync(file, serializeAdvisoryIndex(await loadAdvisoryDatabase(root)));
    const index = await readAdvisoryIndex(file, root, new Set(['redis']));
    expect(index?.advisories.map((a) => a.gem)).toEqual(['redis']);
    expect(index?.keys.sort()).toEqual(['oj-1', 'redis-612']);
  });

  it('is ignored when absent or of another format, and refused when corrupt', async () => {
    const root = tempDir();
    expect(await readAdvisoryIndex(path.join(root, 'none.json'), root, undefined)).toBeNull();
    writeFileSync(path.join(root, 'old.json'), JSON.stringify({ format: 0, keys: [], advisories: [] }));
    expect(await readAdvisoryIndex(path.join(root, 'old.json'), root, undefined)).toBeNull();
    writeFileSync(path.join(root, 'bad.json'), '{"format": 1, "ke');
    await expect(readAdvisoryIndex(path.join(root, 'bad.json'), root, undefined)).rejects.toMatchObject({ code: 'DB_INDEX_INVALID' });
  });
});
