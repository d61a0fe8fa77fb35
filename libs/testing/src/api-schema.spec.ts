import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

describe('the typed clients of the tests', () => {
  it.each([
    ['docs/openapi.json', 'api-schema.d.ts'],
    ['docs/control-plane.openapi.json', 'control-plane-schema.d.ts'],
  ])(
    'are generated from the committed %s (npm run openapi:types)',
    async (document, types) => {
      const root = join(__dirname, '../../..');
      const { stdout } = await promisify(execFile)('npx', ['openapi-typescript', document], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
      expect(readFileSync(join(__dirname, types), 'utf8').trim()).toBe(stdout.trim());
    },
    60_000,
  );
});
