import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { startTestApi, TestApi } from './support/api';

const COMMITTED = join(__dirname, '../../../docs/openapi.json');
const run = promisify(execFile);

/**
 * The OpenAPI document is the contract in machine form: the committed copy (from which the typed
 * client of the tests is generated) must be what the server serves, and both linters must pass
 * it clean. `UPDATE_OPENAPI=1 npm run test:int -- openapi` rewrites the copy, then
 * `npm run openapi:types` the client's types.
 */
describe('The OpenAPI document', () => {
  let api: TestApi;
  let served: Record<string, unknown>;
  let file: string;

  beforeAll(async () => {
    api = await startTestApi();
    served = (await request(api.server).get('/docs-json').expect(200)).body;
    file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(served, null, 2));
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
  });
  afterAll(() => api.close());

  it('is the committed docs/openapi.json that the typed client is generated from', () => {
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('passes redocly lint (recommended) with no error and no warning', async () => {
    const result = await run('npx', ['redocly', 'lint', file, '--format=json'], { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('passes spectral lint (spectral:oas) with no error and no warning', async () => {
    const result = await run('npx', ['spectral', 'lint', file, '--format=json', '--quiet'], { maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout: string }) => error,
    );
    const problems = JSON.parse(result.stdout || '[]') as Array<{ code: string; message: string; severity: number }>;
    expect(problems.filter((problem) => problem.severity <= 1).map((problem) => `${problem.code}: ${problem.message}`)).toEqual([]);
  });
});
