import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

describe('the typed client of the tests', () => {
  it('is generated from the committed docs/openapi.json (npm run openapi:types)', async () => {
    const root = join(__dirname, '../../..');
    const { stdout } = await promisify(execFile)('npx', ['openapi-typescript', 'docs/openapi.json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    expect(readFileSync(join(__dirname, 'api-schema.d.ts'), 'utf8').trim()).toBe(stdout.trim());
  });
});
