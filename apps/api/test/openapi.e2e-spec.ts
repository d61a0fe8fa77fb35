import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { lintOpenApi } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

const COMMITTED = join(__dirname, '../../../docs/openapi.json');

/**
 * The OpenAPI document is the contract in machine form: the committed copy (from which the typed
 * client of the tests is generated) must be what the server serves, and both linters must pass
 * it clean. `UPDATE_OPENAPI=1 npm run test:int -- openapi` rewrites the copy, then
 * `npm run openapi:types` the client's types.
 */
describe('The OpenAPI document', () => {
  let api: TestApi;
  let served: Record<string, unknown>;

  beforeAll(async () => {
    api = await startTestApi();
    served = (await request(api.server).get('/docs-json').expect(200)).body;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
  });
  afterAll(() => api.close());

  it('is the committed docs/openapi.json that the typed client is generated from', () => {
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('passes redocly lint (recommended) and spectral lint (spectral:oas) with no error and no warning', async () => {
    expect(await lintOpenApi(served)).toEqual({ redocly: [], spectral: [] });
  });
});
