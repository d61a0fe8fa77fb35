import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { lintOpenApi } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

const COMMITTED = { api: join(__dirname, '../../../docs/openapi.json'), controlPlane: join(__dirname, '../../../docs/control-plane.openapi.json') };

/**
 * Each service's OpenAPI document is its contract in machine form: the committed copies (from which the typed clients of the tests
 * are generated) must be what the services serve, and both linters must pass them clean. `UPDATE_OPENAPI=1 npm run test:int --
 * openapi` rewrites the copies, then `npm run openapi:types` the clients' types.
 */
describe.each([
  ['tenant API', 'api'],
  ['control plane', 'controlPlane'],
] as const)('The OpenAPI document of the %s', (_name, service) => {
  let api: TestApi;
  let served: Record<string, unknown>;

  beforeAll(async () => {
    api = await startTestApi();
    served = (
      await request(service === 'api' ? api.server : api.admin)
        .get('/docs-json')
        .expect(200)
    ).body;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED[service], `${JSON.stringify(served, null, 2)}\n`);
  });
  afterAll(() => api.close());

  it('is the committed copy that the typed client is generated from', () => {
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED[service], 'utf8')));
  });

  it('passes redocly lint (recommended) and spectral lint (spectral:oas) with no error and no warning', async () => {
    expect(await lintOpenApi(served)).toEqual({ redocly: [], spectral: [] });
  });
});
